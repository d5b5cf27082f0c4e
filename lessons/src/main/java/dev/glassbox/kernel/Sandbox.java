package dev.glassbox.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Containment for kernel JVMs, from the operating system (the Security Manager is gone since JDK 24).
 * With bubblewrap, a kernel runs as nobody in its own user, PID, network, IPC and UTS namespaces with no
 * network at all, sees read-only only the JDK, the shared libraries it loads and its class path, and
 * writes only to a private size-capped tmpfs. Where cgroups are writable, each kernel also gets memory,
 * process and CPU limits ({@link Cgroup}); rlimits and JVM flags are backstops.
 * {@link #detect()} finds out at start-up what this machine allows, by trying it.
 */
public final class Sandbox {
    /** Where a kernel's writable scratch space is mounted inside the sandbox. */
    public static final String SCRATCH = "/scratch";
    /** Where the server's folder of shipped models appears, read-only, inside the sandbox. */
    public static final String MODELS = "/models";

    private final Path bwrap;
    private final List<Path> libraryDirs;
    private final Cgroup.Kind cgroups;
    private final Limits limits;
    private final List<String> problems;

    /**
     * Per-kernel limits.
     *
     * @param memoryBytes  cgroup memory limit of the whole kernel (JVM heap plus everything else)
     * @param pids         cgroup limit on processes and threads (a thread bomb stops here)
     * @param cpuCores     cgroup CPU quota, in cores
     * @param scratchBytes size of the private tmpfs
     * @param openFiles    RLIMIT_NOFILE
     * @param fileBytes    RLIMIT_FSIZE: largest file a kernel may write
     */
    public record Limits(long memoryBytes, int pids, double cpuCores, long scratchBytes, int openFiles, long fileBytes) {
        public static Limits defaults() {
            return new Limits(1536L << 20, 256, 1.0, 64L << 20, 512, 64L << 20);
        }
    }

    private Sandbox(Path bwrap, List<Path> libraryDirs, Cgroup.Kind cgroups, Limits limits, List<String> problems) {
        this.bwrap = bwrap;
        this.libraryDirs = libraryDirs;
        this.cgroups = cgroups;
        this.limits = limits;
        this.problems = List.copyOf(problems);
    }

    /** No containment: kernels are plain child JVMs (single-user mode on one's own computer). */
    public static Sandbox none(String why) {
        return new Sandbox(null, List.of(), Cgroup.Kind.NONE, Limits.defaults(), List.of(why));
    }

    /** Finds bubblewrap and writable cgroups, and checks that a JVM actually starts inside the sandbox. */
    public static Sandbox detect() {
        Path bwrap = findOnPath("bwrap");
        if (bwrap == null) return none("bubblewrap (bwrap) is not installed");
        List<Path> libraries;
        try {
            libraries = sharedLibraryDirs();
        } catch (IOException e) {
            return none("cannot list the JVM's shared libraries: " + e.getMessage());
        }
        List<String> notes = new ArrayList<>();
        Cgroup.Kind cgroups = Cgroup.detect();
        if (cgroups == Cgroup.Kind.NONE) notes.add("cgroups are not writable: memory, process and CPU limits come only from JVM flags and rlimits");
        Sandbox candidate = new Sandbox(bwrap, libraries, cgroups, Limits.defaults(), notes);
        String failure = candidate.probe();
        if (failure != null) return none("bubblewrap is installed but a JVM does not start in it: " + failure);
        return candidate;
    }

    /**
     * This sandbox without its cgroup limits (memory, processes, CPU): what a machine without writable cgroups
     * offers. {@code why} goes to the notes in {@link #describe()}.
     */
    public Sandbox withoutCgroups(String why) {
        List<String> notes = new ArrayList<>(problems);
        notes.add(why);
        return new Sandbox(bwrap, libraryDirs, Cgroup.Kind.NONE, limits, notes);
    }

    public boolean available() {
        return bwrap != null;
    }

    /** "bwrap" or "none". */
    public String kind() {
        return available() ? "bwrap" : "none";
    }

    public Cgroup.Kind cgroups() {
        return cgroups;
    }

    /** True when each kernel gets cgroup limits on memory, processes and CPU. */
    public boolean resourceLimits() {
        return cgroups != Cgroup.Kind.NONE;
    }

    /** "v1", "v2" or "none": the cgroups the kernels' limits come from. */
    public String cgroupsVersion() {
        return cgroups.name().toLowerCase(java.util.Locale.ROOT);
    }

    public Limits perKernel() {
        return limits;
    }

    /** What was found missing, for the log and /api/health. */
    public List<String> problems() {
        return problems;
    }

    /** The limits as reported by /api/health. */
    public Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sandbox", kind());
        map.put("cgroups", cgroups.name().toLowerCase());
        if (available()) {
            map.put("network", "none");
            map.put("filesystem", "read-only JDK, libraries, class path and shipped models; private tmpfs of " + (limits.scratchBytes() >> 20) + " MB");
            map.put("openFiles", limits.openFiles());
            map.put("fileBytes", limits.fileBytes());
        }
        if (cgroups != Cgroup.Kind.NONE) {
            map.put("memoryBytes", limits.memoryBytes());
            map.put("pids", limits.pids());
            map.put("cpuCores", limits.cpuCores());
        }
        if (!problems.isEmpty()) map.put("notes", problems);
        return map;
    }

    /**
     * The command that runs {@code java} (a list starting with the java binary) contained. Without a
     * sandbox it is returned unchanged. {@code cgroup} (may be null) is joined before anything starts.
     */
    List<String> wrap(List<String> java, List<Path> classPath, Cgroup cgroup) {
        return wrap(java, classPath, null, cgroup);
    }

    /** As {@link #wrap(List, List, Cgroup)}, with the folder {@code models} (may be null) read-only at {@link #MODELS}. */
    List<String> wrap(List<String> java, List<Path> classPath, Path models, Cgroup cgroup) {
        if (!available()) return java;
        List<String> command = new ArrayList<>();
        if (cgroup != null) command.addAll(cgroup.joinThenExec());
        Path prlimit = findOnPath("prlimit");
        if (prlimit != null) {
            command.addAll(List.of(prlimit.toString(), "--nofile=" + limits.openFiles(), "--fsize=" + limits.fileBytes(),
                    "--core=0", "--"));
        }
        command.addAll(List.of(bwrap.toString(),
                "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns",
                "--die-with-parent", "--new-session", "--clearenv", "--hostname", "kernel",
                "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", SCRATCH,
                "--proc", "/proc", "--dev", "/dev",
                "--size", Long.toString(limits.scratchBytes()), "--tmpfs", SCRATCH, "--chdir", SCRATCH));
        Set<String> bound = new LinkedHashSet<>();
        for (String top : List.of("/lib", "/lib64", "/bin")) {          // merged-/usr systems link these into /usr
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                try {
                    command.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } catch (IOException ignored) {
                    // leave it out; the libraries below are bound by their real paths
                }
            }
        }
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
        for (Path p : concat(List.of(javaHome), libraryDirs, classPath)) {
            String real = realPath(p);
            if (bound.add(real)) command.addAll(List.of("--ro-bind", real, real));
        }
        // at a neutral path, so no host path (the server's data folder) reaches the kernel
        if (models != null) command.addAll(List.of("--ro-bind", realPath(models), MODELS));
        // bwrap builds the new root and /dev as writable tmpfs without a size cap: only /scratch may be written
        command.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/"));
        command.add("--");
        command.addAll(java);
        return command;
    }

    /** Starts {@code java -version} inside the sandbox; returns null when it works, else what went wrong. */
    private String probe() {
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(wrap(List.of(java, "-XX:-UsePerfData", "-version"), List.of(), null))
                    .redirectErrorStream(true);
            builder.environment().clear();
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out";
            }
            return process.exitValue() == 0 ? null : "exit code " + process.exitValue() + ": " + output.strip();
        } catch (IOException | InterruptedException e) {
            return e.getMessage();
        }
    }

    /** The folders of the shared libraries the java launcher and libjvm load, as ldd resolves them. */
    private static List<Path> sharedLibraryDirs() throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path binary : List.of(home.resolve("bin/java"), home.resolve("lib/server/libjvm.so"))) {
            Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
            String out = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String line : out.split("\n")) {
                for (String word : line.trim().split("\\s+")) {
                    if (word.startsWith("/") && Files.exists(Path.of(word))) {
                        // both the folder the loader looks in (/lib64 -> /usr/lib64) and where the file really is
                        Path file = Path.of(word);
                        for (Path dir : List.of(file.getParent().toRealPath(), file.toRealPath().getParent())) {
                            if (!dir.startsWith(home.toRealPath())) dirs.add(dir);
                        }
                    }
                }
            }
        }
        if (dirs.isEmpty()) throw new IOException("ldd found no libraries for " + home);
        return List.copyOf(dirs);
    }

    static Path findOnPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/bin:/bin:/usr/sbin").split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }

    private static String realPath(Path p) {
        try {
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }

    @SafeVarargs
    private static List<Path> concat(List<Path>... lists) {
        List<Path> all = new ArrayList<>();
        for (List<Path> l : lists) all.addAll(l);
        return all;
    }

    @Override
    public String toString() {
        return available() ? "bwrap sandbox, cgroups " + cgroups.name().toLowerCase() : "no sandbox (" + String.join("; ", problems) + ")";
    }
}
