package dev.glassbox.notebook.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Containment for kernel JVMs, from the operating system (the Security Manager is gone since JDK 24).
 * With bubblewrap, a kernel runs as nobody in its own user, PID, network, IPC and UTS namespaces with no
 * network at all, sees read-only only the JDK, the shared libraries it loads and its class path, and
 * writes only to a private tmpfs capped in bytes and in files. The JDK, the class path, the AOT cache and
 * the shipped models appear at neutral paths ({@code /glassbox/...}, {@code /models}), and bubblewrap reads
 * its arguments from a file descriptor, so no path of the host reaches the kernel's command lines or
 * properties. Where cgroups are writable, each kernel also gets memory, process and CPU limits
 * ({@link Cgroup}); rlimits and JVM flags are backstops.
 * {@link #detect()} finds out at start-up what this machine allows, by trying it.
 */
public final class Sandbox {
    /** Where a kernel's writable scratch space is mounted inside the sandbox. */
    public static final String SCRATCH = "/scratch";
    /** Where the server's folder of shipped models appears, read-only, inside the sandbox. */
    public static final String MODELS = "/models";
    /** Where the JDK appears, read-only, inside the sandbox. */
    public static final String JDK = "/glassbox/jdk";
    /** Where each class path entry appears, read-only, inside the sandbox: {@code /glassbox/lib/<index>-<file name>}. */
    public static final String LIB = "/glassbox/lib";
    /** Where the kernels' AOT cache appears, read-only, inside the sandbox. */
    public static final String CACHE = "/glassbox/cache";
    /** Where the kernels' JIT directives ({@link KernelJit}) appear, read-only, inside the sandbox. */
    public static final String JIT = "/glassbox/jit.json";

    /**
     * Opens bubblewrap's arguments (the file {@code $0}) as file descriptor 3 and removes the file, then runs the
     * rest of the command: bubblewrap reads the arguments with {@code --args 3}, and they never appear in its
     * command line ({@code /proc/1/cmdline} inside the sandbox). A shell, because a Java child inherits only its
     * standard streams, and the protocol needs those.
     */
    private static final String ARGUMENTS_ON_FD_3 = "unset PWD OLDPWD; exec 3<\"$0\" && rm -f -- \"$0\" && exec \"$@\"";
    /**
     * Mounts the scratch tmpfs, capped in bytes and in inodes, on the folder {@code $0} in a mount namespace of its
     * own (run by {@code unshare} as root of a new user namespace), then runs bubblewrap, which binds it at
     * {@link #SCRATCH}: bubblewrap's own {@code --tmpfs} takes a size but no inode count.
     */
    private static final String MOUNT_SCRATCH = "unset PWD OLDPWD; mount -t tmpfs -o size=%d,nr_inodes=%d,mode=0755 glassbox-scratch \"$0\" && exec \"$@\"";

    private final Path bwrap;
    private final List<Path> libraryDirs;
    private final boolean scratchInodes;            // the scratch tmpfs is mounted with an inode cap (MOUNT_SCRATCH)
    private final Cgroup.Kind cgroups;
    private final Limits limits;
    private final List<String> problems;

    /**
     * Per-kernel limits.
     *
     * @param memoryBytes  cgroup memory limit of the whole kernel (JVM heap plus everything else)
     * @param pids         cgroup limit on processes and threads (a thread bomb stops here)
     * @param cpuCores     cgroup CPU quota, in cores
     * @param scratchBytes  size of the private tmpfs
     * @param scratchInodes files and folders the private tmpfs may hold (each costs the host kernel memory, however small)
     * @param openFiles     RLIMIT_NOFILE
     * @param fileBytes     RLIMIT_FSIZE: largest file a kernel may write
     */
    public record Limits(long memoryBytes, int pids, double cpuCores, long scratchBytes, int scratchInodes, int openFiles, long fileBytes) {
        public static Limits defaults() {
            return new Limits(1536L << 20, 256, 1.0, 64L << 20, 16_384, 512, 64L << 20);
        }
    }

    private Sandbox(Path bwrap, List<Path> libraryDirs, boolean scratchInodes, Cgroup.Kind cgroups, Limits limits, List<String> problems) {
        this.bwrap = bwrap;
        this.libraryDirs = libraryDirs;
        this.scratchInodes = scratchInodes;
        this.cgroups = cgroups;
        this.limits = limits;
        this.problems = List.copyOf(problems);
    }

    /** No containment: kernels are plain child JVMs (single-user mode on one's own computer). */
    public static Sandbox none(String why) {
        return new Sandbox(null, List.of(), false, Cgroup.Kind.NONE, Limits.defaults(), List.of(why));
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
        String inodes = findOnPath("unshare") == null || findOnPath("mount") == null ? "unshare and mount (util-linux) are not installed"
                : new Sandbox(bwrap, libraries, true, cgroups, Limits.defaults(), notes).probe();
        if (inodes != null) notes.add("the scratch space is capped in bytes but not in files: " + inodes);
        Sandbox candidate = new Sandbox(bwrap, libraries, inodes == null, cgroups, Limits.defaults(), notes);
        String failure = inodes == null ? null : candidate.probe();
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
        return new Sandbox(bwrap, libraryDirs, scratchInodes, Cgroup.Kind.NONE, limits, notes);
    }

    /** This sandbox with other per-kernel limits. */
    Sandbox withLimits(Limits other) {
        return new Sandbox(bwrap, libraryDirs, scratchInodes, cgroups, other, problems);
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

    /** True when the scratch space is capped in files (inodes) as well as in bytes. */
    public boolean scratchInodesLimited() {
        return scratchInodes;
    }

    /** "v1", "v2" or "none": the cgroups the kernels' limits come from. */
    public String cgroupsVersion() {
        return cgroups.name().toLowerCase(Locale.ROOT);
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
            map.put("filesystem", "read-only JDK, libraries, class path and shipped models at neutral paths; private tmpfs of "
                    + (limits.scratchBytes() >> 20) + " MB" + (scratchInodes ? " and " + limits.scratchInodes() + " files" : ""));
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

    /** The java launcher as the kernel is started with it: at {@link #JDK} inside the sandbox. */
    public String java() {
        return available() ? JDK + "/bin/java" : Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The class path as the kernel sees it: each entry at {@link #LIB} inside the sandbox, where it is on the host without one. */
    public List<String> classPath(List<Path> classPath) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < classPath.size(); i++) {
            seen.add(available() ? LIB + "/" + i + "-" + classPath.get(i).getFileName() : classPath.get(i).toAbsolutePath().toString());
        }
        return seen;
    }

    /** A file of the AOT cache's folder as the JVMs that make or use the cache see it: in {@link #CACHE} inside the sandbox. */
    String inCache(Path aotCache) {
        return available() ? CACHE + "/" + aotCache.getFileName() : aotCache.toString();
    }

    /** The folder of shipped models as the kernel sees it: {@link #MODELS} inside the sandbox. */
    String models(Path models) {
        return available() ? MODELS : models.toAbsolutePath().toString();
    }

    /**
     * A command and the file it reads bubblewrap's arguments from (null without a sandbox). The command removes the
     * file as it starts; whoever starts it removes it too if the command could not start.
     */
    record Command(List<String> arguments, Path argumentsFile) {}

    /**
     * The command that runs {@code java} (a list starting with {@link #java()}, naming its files as the kernel sees
     * them: {@link #classPath}, {@link #cache}, {@link #models}) contained, with the class path, the AOT cache
     * ({@code aotCache}, may be null), the JIT directives ({@code jit}, may be null) and the folder {@code models}
     * (may be null) bound read-only where it names them. Without a sandbox it is {@code java} unchanged. {@code cgroup} (may be null) is joined before anything
     * starts. {@code folder} is one of the server's own: bubblewrap's arguments are written to a file there, and
     * the scratch tmpfs is mounted on a folder in it in a mount namespace that only the kernel sees.
     */
    Command wrap(List<String> java, List<Path> classPath, Path models, Path aotCache, Path jit, Cgroup cgroup, Path folder) throws IOException {
        return wrap(java, classPath, models, aotCache, jit, null, cgroup, folder);
    }

    /**
     * As {@link #wrap}, for the JVMs that make the kernels' AOT cache, with {@code cacheFolder} bound writable at
     * {@link #CACHE}: a JVM maps an AOT cache only with the paths it was made with, so it is made with the kernels'.
     */
    Command wrapCacheMaker(List<String> java, List<Path> classPath, Path jit, Path cacheFolder, Path folder) throws IOException {
        return wrap(java, classPath, null, null, jit, cacheFolder, null, folder);
    }

    private Command wrap(List<String> java, List<Path> classPath, Path models, Path aotCache, Path jit, Path cacheFolder, Cgroup cgroup,
                         Path folder) throws IOException {
        if (!available()) return new Command(java, null);
        List<String> sandbox = new ArrayList<>(List.of(
                "--unshare-all", "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns",
                "--die-with-parent", "--new-session", "--clearenv", "--hostname", "kernel",
                "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", SCRATCH,
                // No /proc: through it a process may read its own memory (/proc/self/mem, where the seal's key is) and
                // write to its own standard input (/proc/self/fd/0). Without /proc/self/exe the dynamic loader cannot
                // find the JDK's libraries by $ORIGIN, so it is told where they are; /proc/cpuinfo alone is shown
                // (a training record names the CPU).
                "--setenv", "LD_LIBRARY_PATH", JDK + "/lib", "--dev", "/dev"));
        if (Files.isReadable(Path.of("/proc/cpuinfo"))) sandbox.addAll(List.of("--ro-bind", "/proc/cpuinfo", "/proc/cpuinfo"));
        Path mountPoint = folder.resolve("kernel-scratch");
        if (scratchInodes) {
            Files.createDirectories(mountPoint);
            sandbox.addAll(List.of("--bind", mountPoint.toString(), SCRATCH));
        } else {
            sandbox.addAll(List.of("--size", Long.toString(limits.scratchBytes()), "--tmpfs", SCRATCH));
        }
        sandbox.addAll(List.of("--chdir", SCRATCH));
        for (String top : List.of("/lib", "/lib64", "/bin")) {          // merged-/usr systems link these into /usr
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                try {
                    sandbox.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } catch (IOException ignored) {
                    // leave it out; the libraries below are bound by their real paths
                }
            }
        }
        Set<String> bound = new LinkedHashSet<>();
        for (Path p : libraryDirs) {
            String real = realPath(p);
            if (bound.add(real)) sandbox.addAll(List.of("--ro-bind", real, real));
        }
        // the kernel's own files at neutral paths, so that no host path (the server's data folder, where it is
        // installed, the user's home) reaches the kernel's class path, command line or properties
        sandbox.addAll(List.of("--ro-bind", realPath(Path.of(System.getProperty("java.home"))), JDK));
        List<String> inside = classPath(classPath);
        for (int i = 0; i < classPath.size(); i++) sandbox.addAll(List.of("--ro-bind", realPath(classPath.get(i)), inside.get(i)));
        if (aotCache != null) sandbox.addAll(List.of("--ro-bind", realPath(aotCache), inCache(aotCache)));
        if (jit != null) sandbox.addAll(List.of("--ro-bind", realPath(jit), JIT));
        if (cacheFolder != null) sandbox.addAll(List.of("--bind", realPath(cacheFolder), CACHE));
        if (models != null) sandbox.addAll(List.of("--ro-bind", realPath(models), MODELS));
        // bwrap builds the new root and /dev as writable tmpfs without a size cap: only /scratch may be written
        sandbox.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/"));

        Files.createDirectories(folder);
        Path argumentsFile = Files.createTempFile(folder, "bwrap-", ".args", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder nulSeparated = new StringBuilder();
        for (String argument : sandbox) nulSeparated.append(argument).append('\0');
        Files.writeString(argumentsFile, nulSeparated, StandardCharsets.UTF_8);

        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", ARGUMENTS_ON_FD_3, argumentsFile.toString()));
        if (cgroup != null) command.addAll(cgroup.joinThenExec());
        Path prlimit = findOnPath("prlimit");
        if (prlimit != null) {
            command.addAll(List.of(prlimit.toString(), "--nofile=" + limits.openFiles(), "--fsize=" + limits.fileBytes(),
                    "--core=0", "--"));
        }
        if (scratchInodes) {
            command.addAll(List.of(findOnPath("unshare").toString(), "--user", "--map-root-user", "--mount", "/bin/sh", "-c",
                    String.format(Locale.ROOT, MOUNT_SCRATCH, limits.scratchBytes(), limits.scratchInodes()), mountPoint.toString()));
        }
        command.addAll(List.of(bwrap.toString(), "--args", "3", "--"));
        command.addAll(java);
        return new Command(command, argumentsFile);
    }

    /** Starts {@code java -version} inside the sandbox; returns null when it works, else what went wrong. */
    private String probe() {
        Path folder = null;
        Command command = null;
        try {
            folder = Files.createTempDirectory("glassbox-sandbox-probe");
            command = wrap(List.of(java(), "-XX:-UsePerfData", "-version"), List.of(), null, null, null, null, folder);
            ProcessBuilder builder = new ProcessBuilder(command.arguments()).redirectErrorStream(true);
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
        } finally {
            try {
                if (command != null && command.argumentsFile() != null) Files.deleteIfExists(command.argumentsFile());
                if (folder != null) {
                    Files.deleteIfExists(folder.resolve("kernel-scratch"));
                    Files.deleteIfExists(folder);
                }
            } catch (IOException ignored) {
                // a temporary folder left behind
            }
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

    @Override
    public String toString() {
        return available() ? "bwrap sandbox, cgroups " + cgroups.name().toLowerCase() : "no sandbox (" + String.join("; ", problems) + ")";
    }
}
