package dev.glassbox.notebook.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One kernel's control group: a memory limit, a cap on processes and threads, and a CPU quota, for
 * cgroup v2 (one unified tree) or v1 (one tree per controller). The kernel joins it before bubblewrap
 * starts, so everything it ever starts is counted and can be killed at once.
 * <p>
 * The kernels of one pool live in one group of their own ({@link #pool}, {@code glassbox/pool-<server pid>-<n>}),
 * which carries the memory budget of all of them together: whatever each kernel's limit, the kernels cannot
 * take more than that from the machine, off-heap memory (FFM arenas, direct buffers, thread stacks) included.
 */
final class Cgroup {
    enum Kind { V2, V1, NONE }

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final String PARENT = "glassbox";

    private final Kind kind;
    private final List<Path> dirs;                     // v2: one; v1: memory, pids, cpu

    private Cgroup(Kind kind, List<Path> dirs) {
        this.kind = kind;
        this.dirs = dirs;
    }

    /** Which cgroup version this process may create groups in, found by creating and removing one. */
    static Kind detect() {
        removeStale();
        try {
            Cgroup probe = create("probe-" + ProcessHandle.current().pid(), Sandbox.Limits.defaults());
            Kind kind = probe.kind;
            probe.delete();
            return kind;
        } catch (IOException | RuntimeException e) {
            return Kind.NONE;
        }
    }

    /**
     * Removes groups left behind by servers that are gone (named {@code kernel-<server pid>-<n>}); their
     * kernels died with their server, so the groups are empty.
     */
    private static void removeStale() {
        for (Path parent : List.of(ROOT.resolve(PARENT), ROOT.resolve("memory").resolve(PARENT),
                ROOT.resolve("pids").resolve(PARENT), ROOT.resolve("cpu").resolve(PARENT), ROOT.resolve("cpu,cpuacct").resolve(PARENT))) {
            if (!Files.isDirectory(parent)) continue;
            try (var groups = Files.list(parent)) {
                for (Path group : groups.toList()) {
                    String[] parts = group.getFileName().toString().split("-");
                    if (parts.length == 3 && (parts[0].equals("kernel") || parts[0].equals("pool")) && parts[1].matches("\\d+")
                            && ProcessHandle.of(Long.parseLong(parts[1])).map(ProcessHandle::isAlive).orElse(false) == false) {
                        try {
                            if (parts[0].equals("pool")) {
                                try (var kernels = Files.list(group)) {
                                    for (Path kernel : kernels.filter(Files::isDirectory).toList()) Files.deleteIfExists(kernel);
                                }
                            }
                            Files.deleteIfExists(group);
                        } catch (IOException ignored) {
                            // still has processes; leave it
                        }
                    }
                }
            } catch (IOException ignored) {
                // not readable: nothing to clean
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong POOLS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Creates the group that holds the kernels of one pool, with {@code memoryBytes} of memory for all of them together
     * (and no swap): when they reach it, the kernel's OOM killer stops one of them, never the server or another program.
     */
    static Cgroup pool(long memoryBytes) throws IOException {
        String name = "pool-" + ProcessHandle.current().pid() + "-" + POOLS.incrementAndGet();
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            Path parent = ROOT.resolve(PARENT);
            Files.createDirectories(parent);
            write(ROOT.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            write(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            Path dir = Files.createDirectories(parent.resolve(name));
            Cgroup group = new Cgroup(Kind.V2, List.of(dir));
            try {
                write(dir.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
                write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                write(dir.resolve("memory.swap.max"), "0");
            } catch (IOException e) {
                group.delete();
                throw e;
            }
            return group;
        }
        List<Path> dirs = new ArrayList<>();
        Cgroup group = new Cgroup(Kind.V1, dirs);
        try {
            for (Path hierarchy : v1Hierarchies()) dirs.add(Files.createDirectories(hierarchy.resolve(PARENT).resolve(name)));
            write(dirs.get(0).resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
            Path withSwap = dirs.get(0).resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(withSwap)) write(withSwap, Long.toString(memoryBytes));   // only where swap accounting is on
        } catch (IOException e) {
            group.delete();
            throw e;
        }
        return group;
    }

    /** v1's memory, pids and cpu hierarchies, in that order; an IOException when one is missing. */
    private static List<Path> v1Hierarchies() throws IOException {
        Path memory = ROOT.resolve("memory");
        Path pids = ROOT.resolve("pids");
        Path cpu = Files.isDirectory(ROOT.resolve("cpu")) ? ROOT.resolve("cpu") : ROOT.resolve("cpu,cpuacct");
        if (!Files.isDirectory(memory) || !Files.isDirectory(pids) || !Files.isDirectory(cpu)) {
            throw new IOException("no cgroup v2 and no v1 memory, pids and cpu hierarchies under " + ROOT);
        }
        return List.of(memory, pids, cpu);
    }

    /**
     * CPU weight of a kernel, relative to other kernels, on cgroup v1's scale (cpu.shares, default 1024; v2's
     * cpu.weight is scaled from it). The weight only matters while the cores are contended: a kernel running a
     * learner's cell then gets the CPU before kernels that are idle (their JIT compilers still compiling in the
     * background) or warming up in the pool. A fresh JVM spends more CPU compiling in the background during
     * its first few hundred cells than on the cells themselves; this keeps that work from delaying other
     * learners' cells. Pool kernels get enough to start within their time-out even on a busy server.
     */
    static final boolean WEIGHTS = !"false".equals(System.getProperty("glassbox.kernel.cpuWeights"));   // off only to measure their effect
    static final int WEIGHT_BUSY = 1024;
    static final int WEIGHT_STARTING = WEIGHTS ? 256 : 1024;
    static final int WEIGHT_IDLE = WEIGHTS ? 128 : 1024;
    /** A running cell's weight once it has run for two seconds ({@link Kernel#LONG_CELL_NANOS}). */
    static final int WEIGHT_LONG = WEIGHTS ? 256 : 1024;
    /**
     * A running cell's weight in a kernel whose JVM the server had to replace recently ({@link Kernel#penalized}):
     * whoever makes the server start JVMs in a loop (floods, memory spikes, exits) waits behind everyone else.
     */
    static final int WEIGHT_PENALIZED = WEIGHTS ? 64 : 1024;

    /** Creates the group {@code name} with the given limits; throws when cgroups are not writable. */
    static Cgroup create(String name, Sandbox.Limits limits) throws IOException {
        return create(name, limits, WEIGHT_STARTING);
    }

    /** As {@link #create(String, Sandbox.Limits)}, with the group's initial CPU weight. */
    static Cgroup create(String name, Sandbox.Limits limits, int weight) throws IOException {
        return create(null, name, limits, weight);
    }

    /** As {@link #create(String, Sandbox.Limits, int)}, inside the group {@code pool} (null: directly under Glassbox's group). */
    static Cgroup create(Cgroup pool, String name, Sandbox.Limits limits, int weight) throws IOException {
        long quota = Math.round(limits.cpuCores() * 100_000);
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            Path parent = ROOT.resolve(PARENT);
            if (pool == null) {
                Files.createDirectories(parent);
                // controllers must be enabled for the parent's children, along the way from the root
                write(ROOT.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
                write(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            } else {
                parent = pool.dirs.getFirst();
            }
            Path dir = Files.createDirectories(parent.resolve(name));
            Cgroup group = new Cgroup(Kind.V2, List.of(dir));
            try {
                write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                write(dir.resolve("memory.swap.max"), "0");
                write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
                write(dir.resolve("cpu.max"), quota + " 100000");
                group.cpuWeight(weight);
            } catch (IOException e) {
                group.delete();
                throw e;
            }
            return group;
        }
        List<Path> hierarchies = v1Hierarchies();
        List<Path> dirs = new ArrayList<>();
        Cgroup group = new Cgroup(Kind.V1, dirs);
        try {
            for (int i = 0; i < hierarchies.size(); i++) {
                Path parent = pool == null ? hierarchies.get(i).resolve(PARENT) : pool.dirs.get(i);
                dirs.add(Files.createDirectories(parent.resolve(name)));
            }
            write(dirs.get(0).resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            write(dirs.get(1).resolve("pids.max"), Integer.toString(limits.pids()));
            write(dirs.get(2).resolve("cpu.cfs_period_us"), "100000");
            write(dirs.get(2).resolve("cpu.cfs_quota_us"), Long.toString(quota));
            group.cpuWeight(weight);
        } catch (IOException e) {
            group.delete();
            throw e;
        }
        return group;
    }

    /**
     * A shell prefix that moves itself into this group, then execs the rest of the command line. The
     * shell exports PWD (the server's working folder); it is unset so that bubblewrap, which a kernel
     * can see as its PID 1, starts from the server's cleared environment only.
     */
    List<String> joinThenExec() {
        StringBuilder script = new StringBuilder("unset PWD OLDPWD; ");
        for (Path dir : dirs) script.append("echo $$ > '").append(dir.resolve("cgroup.procs")).append("' && ");
        script.append("exec \"$@\"");
        return List.of("/bin/sh", "-c", script.toString(), "kernel");
    }

    /** Sets the group's CPU weight ({@link #WEIGHT_BUSY} and friends, on v1's scale); false when it could not. */
    boolean cpuWeight(int shares) {
        try {
            if (kind == Kind.V2) {
                write(dirs.getFirst().resolve("cpu.weight"), Long.toString(Math.clamp(Math.round(shares * 100.0 / 1024), 1, 10_000)));
            } else if (kind == Kind.V1) {
                write(dirs.get(2).resolve("cpu.shares"), Integer.toString(Math.clamp(shares, 2, 262_144)));
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills every process in the group. */
    void killAll() {
        for (Path dir : dirs) {
            if (kind == Kind.V2 && Files.exists(dir.resolve("cgroup.kill"))) {
                try {
                    write(dir.resolve("cgroup.kill"), "1");
                    continue;
                } catch (IOException ignored) {
                    // fall back to killing one by one
                }
            }
            try {
                for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!pid.isBlank()) ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | NumberFormatException ignored) {
                // gone already
            }
        }
    }

    /** Removes the group (its processes must be gone; retries briefly while they exit). */
    void delete() {
        for (Path dir : dirs) {
            for (int attempt = 0; attempt < 50; attempt++) {
                try {
                    Files.deleteIfExists(dir);
                    break;
                } catch (IOException e) {
                    killAll();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * What the group's limits did to it, from the controllers' counters: kills by the OOM killer, times the
     * process limit refused a new process or thread, times memory hit the limit, and the most memory used.
     * Read when a kernel has ended, before the group is removed, to say why it ended.
     */
    record Events(long oomKills, long pidsLimitHits, long memoryLimitHits, long peakBytes) {
        static final Events NONE = new Events(0, 0, 0, -1);

        @Override
        public String toString() {
            return "oom kills " + oomKills + ", process limit hit " + pidsLimitHits + " times, memory limit hit "
                    + (memoryLimitHits < 0 ? "?" : memoryLimitHits) + " times, peak memory " + (peakBytes < 0 ? "?" : (peakBytes >> 20) + " MB");
        }
    }

    Events events() {
        if (dirs.isEmpty() || !Files.isDirectory(dirs.getFirst())) return Events.NONE;     // removed already
        if (kind == Kind.V2) {
            Path dir = dirs.getFirst();
            return new Events(counter(dir.resolve("memory.events"), "oom_kill"), counter(dir.resolve("pids.events"), "max"),
                    counter(dir.resolve("memory.events"), "max"), number(dir.resolve("memory.peak")));
        }
        if (kind == Kind.V1 && dirs.size() == 3) {
            return new Events(counter(dirs.get(0).resolve("memory.oom_control"), "oom_kill"), counter(dirs.get(1).resolve("pids.events"), "max"),
                    number(dirs.get(0).resolve("memory.failcnt")), number(dirs.get(0).resolve("memory.max_usage_in_bytes")));
        }
        return Events.NONE;
    }

    /** The value on the line "{@code name} N" of a flat-keyed cgroup file, 0 when absent. */
    private static long counter(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(name)) return Long.parseLong(f[1]);
            }
        } catch (IOException | RuntimeException ignored) {
            // not there on this kernel version
        }
        return 0;
    }

    private static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Bytes of memory the group's processes hold and cannot give back at once: its usage less the page cache that is
     * not in active use (the shared models' files, read once and charged to whoever read them first; the system
     * reclaims it before it kills anything). This is what a memory budget is measured against. -1 when unknown.
     */
    long workingSetBytes() {
        long usage = memoryUsage();
        if (usage < 0) return -1;
        Path stat = dirs.getFirst().resolve("memory.stat");
        long inactiveFile = counter(stat, kind == Kind.V2 ? "inactive_file" : "total_inactive_file");
        return Math.max(0, usage - inactiveFile);
    }

    /** Bytes of memory the group uses now, or -1. */
    long memoryUsage() {
        Path file = kind == Kind.V2 ? dirs.getFirst().resolve("memory.current") : kind == Kind.V1 ? dirs.getFirst().resolve("memory.usage_in_bytes") : null;
        try {
            return file == null ? -1 : Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }
}
