package dev.glassbox.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One kernel's control group: a memory limit, a cap on processes and threads, and a CPU quota, for
 * cgroup v2 (one unified tree) or v1 (one tree per controller). The kernel joins it before bubblewrap
 * starts, so everything it ever starts is counted and can be killed at once.
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
                    if (parts.length == 3 && parts[0].equals("kernel") && parts[1].matches("\\d+")
                            && ProcessHandle.of(Long.parseLong(parts[1])).map(ProcessHandle::isAlive).orElse(false) == false) {
                        try {
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

    /** Creates the group {@code name} with the given limits; throws when cgroups are not writable. */
    static Cgroup create(String name, Sandbox.Limits limits) throws IOException {
        long quota = Math.round(limits.cpuCores() * 100_000);
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            Path parent = ROOT.resolve(PARENT);
            Files.createDirectories(parent);
            // controllers must be enabled for the parent's children, along the way from the root
            write(ROOT.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            write(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
            Path dir = Files.createDirectories(parent.resolve(name));
            Cgroup group = new Cgroup(Kind.V2, List.of(dir));
            try {
                write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                write(dir.resolve("memory.swap.max"), "0");
                write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
                write(dir.resolve("cpu.max"), quota + " 100000");
            } catch (IOException e) {
                group.delete();
                throw e;
            }
            return group;
        }
        Path memory = ROOT.resolve("memory");
        Path pids = ROOT.resolve("pids");
        Path cpu = Files.isDirectory(ROOT.resolve("cpu")) ? ROOT.resolve("cpu") : ROOT.resolve("cpu,cpuacct");
        if (!Files.isDirectory(memory) || !Files.isDirectory(pids) || !Files.isDirectory(cpu)) {
            throw new IOException("no cgroup v2 and no v1 memory, pids and cpu hierarchies under " + ROOT);
        }
        List<Path> dirs = new ArrayList<>();
        Cgroup group = new Cgroup(Kind.V1, dirs);
        try {
            for (Path hierarchy : List.of(memory, pids, cpu)) dirs.add(Files.createDirectories(hierarchy.resolve(PARENT).resolve(name)));
            write(dirs.get(0).resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            write(dirs.get(1).resolve("pids.max"), Integer.toString(limits.pids()));
            write(dirs.get(2).resolve("cpu.cfs_period_us"), "100000");
            write(dirs.get(2).resolve("cpu.cfs_quota_us"), Long.toString(quota));
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
