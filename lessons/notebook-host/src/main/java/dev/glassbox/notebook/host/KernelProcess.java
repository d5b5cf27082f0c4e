package dev.glassbox.notebook.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glassbox.notebook.protocol.HostMessage;
import dev.glassbox.notebook.protocol.KernelLaunch;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.notebook.protocol.Seal;
import dev.glassbox.notebook.protocol.Wire;
import dev.glassbox.tinymodels.ModelCatalog;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One kernel JVM, seen from the server: starts it, writes requests to its standard input and routes
 * the lines it prints to whoever waits for that request. Everything the kernel prints is untrusted:
 * lines are length-capped and anything that is not a protocol message becomes stderr text.
 */
final class KernelProcess {
    /** Longest line read from a kernel; a longer one is dropped (a cell wrote straight to fd 1). */
    private static final int MAX_LINE_BYTES = 16 * 1024 * 1024;
    /** Bytes one request may send beyond the kernel's output cap and still be decoded: room for its error and reply. */
    private static final long READ_MARGIN = 256 * 1024;
    /** Past the budget only lines this short are decoded (the request's reply), so a flood costs the server no parsing. */
    private static final int SHORT_LINE_BYTES = 1024;
    /**
     * What one line costs the server beyond its bytes, counted against the budget: a decoded line becomes a few
     * objects (a message, an output, a string, a queue node), so a flood of empty lines is bounded in objects too.
     */
    private static final int LINE_COST = 64;
    /**
     * A kernel that writes this many budgets for one request floods the server: it is killed. Every byte counts,
     * on standard output and standard error, those of a line too long to keep as well: a line without end costs
     * the server a core for as long as it is read.
     */
    private static final int FLOOD_BUDGETS = 8;
    /** Outputs waiting for their request's reader; past it outputs are dropped (its reader stalls), never queued without end. */
    private static final int MAX_QUEUED_OUTPUTS = 4096;
    /** Room kept in every request's queue for the messages that end it (reply, exit, malformed), which are never dropped. */
    private static final int RESERVED = 16;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** A pool kernel starts with a lower CPU weight and nobody waits for it: on a busy server it may take longer. */
    private static final Duration BACKGROUND_START_TIMEOUT = Duration.ofSeconds(240);
    /** Bytes kept of each line the kernel writes to its real standard error. */
    private static final int MAX_STDERR_LINE_BYTES = 500;

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(KernelProcess.class.getName());

    /**
     * Posted to every waiting request when the kernel's output ends. {@code cause} says why, in words a
     * learner understands, when it is known (the kernel's memory limit, its thread limit, a crash…), else null.
     */
    record Exited(int exitCode, String stderrTail, String cause) {}

    /**
     * Posted to every waiting request when the kernel sent a protocol message that is not well-formed
     * ({@link KernelMessage#problem}): only a cell can have written it, so the kernel is killed at once.
     */
    record Malformed(String problem) {}

    /**
     * Every kernel process is started from this one thread, which lives as long as the server. Bubblewrap's
     * {@code --die-with-parent} is {@code PR_SET_PDEATHSIG}, and Linux sends that signal when the
     * <em>thread</em> that started the process ends, not the process: a kernel started from a request
     * thread was SIGKILLed, idle, when the web server retired that thread (a pool shrinks when it is quiet).
     */
    private static final BlockingQueue<Launch> LAUNCHES = new LinkedBlockingQueue<>();

    private record Launch(ProcessBuilder builder, CompletableFuture<Process> process) {}

    static {
        Thread.ofPlatform().daemon().name("kernel-launcher").start(() -> {
            while (true) {
                Launch launch;
                try {
                    launch = LAUNCHES.take();
                } catch (InterruptedException e) {
                    continue;                                   // nobody may end this thread: its children would die
                }
                try {
                    launch.process().complete(launch.builder().start());
                } catch (Throwable t) {
                    launch.process().completeExceptionally(t);
                }
            }
        });
    }

    /** Starts {@code builder}'s process from the launcher thread (see {@link #LAUNCHES}). */
    private static Process launch(ProcessBuilder builder) throws IOException {
        CompletableFuture<Process> process = new CompletableFuture<>();
        LAUNCHES.add(new Launch(builder, process));
        try {
            return process.get();
        } catch (InterruptedException e) {
            // the process may still start: make sure it does not live on unseen
            process.thenAccept(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting a kernel", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("could not start a kernel: " + e.getCause(), e.getCause());
        }
    }

    private final Process process;
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private final Path scratch;                    // host folder without a sandbox; null inside one (tmpfs)
    private final Cgroup cgroup;                   // null without writable cgroups
    private final OutputStream stdin;
    private final CompletableFuture<KernelMessage.Ready> ready = new CompletableFuture<>();
    private final Map<Long, BlockingQueue<Object>> waiting = new ConcurrentHashMap<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Object stdout = new Object();    // guards readForRequest and budgetNoted
    private long stderrLines;                      // lines seen in all (guarded by stderrTail)
    private volatile long stderrLinesAtReady = -1; // ... when the kernel said it was ready
    private volatile long currentRequest;
    private final long readBudget;                 // bytes decoded per request at most (but short lines), see READ_MARGIN
    private long readForRequest;                   // bytes read since the current request was sent (reader thread, and send)
    private boolean budgetNoted;
    private volatile Exited exited;
    private volatile String stopReason;            // why the server ended this kernel itself, null if it did not
    private volatile String malformed;             // what was wrong with the malformed message it sent, null if none
    private int weight;                            // the cgroup's CPU weight now (Cgroup.WEIGHT_*)
    private volatile boolean pooled;               // its cgroup is inside a pool's group, which carries a memory budget
    private volatile java.util.Set<Long> backgroundThreads = java.util.Set.of();
    private final long startedAt = System.nanoTime();
    private final Seal seal = Seal.random();         // this JVM's key: only the runtime's replies carry its signature

    private KernelProcess(Process process, Path scratch, Cgroup cgroup, long outputCap) {
        this.readBudget = outputCap + READ_MARGIN;
        this.process = process;
        this.scratch = scratch;
        this.cgroup = cgroup;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("kernel-out-" + process.pid()).start(this::readStdout);
        Thread.ofPlatform().daemon().name("kernel-err-" + process.pid()).start(this::readStderr);
    }

    /** Starts a kernel JVM (contained by {@code sandbox} when it is available) and waits until JShell is warm. */
    static KernelProcess start(KernelSettings settings, Sandbox sandbox) throws IOException {
        return start(settings, sandbox, false);
    }

    /**
     * As {@link #start(KernelSettings, Sandbox)}; {@code urgent} when a learner waits for this kernel (it then
     * starts with a running cell's CPU weight instead of a pool kernel's lower one).
     */
    static KernelProcess start(KernelSettings settings, Sandbox sandbox, boolean urgent) throws IOException {
        return start(settings, sandbox, urgent, null);
    }

    /** As {@link #start(KernelSettings, Sandbox, boolean)}, with the kernels' AOT cache ({@link KernelCache}) when there is one. */
    static KernelProcess start(KernelSettings settings, Sandbox sandbox, boolean urgent, Path aotCache) throws IOException {
        return start(settings, sandbox, urgent, aotCache, null);
    }

    /**
     * As {@link #start(KernelSettings, Sandbox, boolean, Path)}, the kernel's cgroup inside {@code pool} (the group that
     * carries the memory budget of all the pool's kernels; null: none).
     */
    static KernelProcess start(KernelSettings settings, Sandbox sandbox, boolean urgent, Path aotCache, Cgroup pool) throws IOException {
        Path jit = KernelJit.file(settings);
        Path scratch = null;
        Cgroup cgroup = null;
        String scratchPath = Sandbox.SCRATCH;
        if (!sandbox.available()) {
            Files.createDirectories(settings.scratchRoot());
            scratch = Files.createTempDirectory(settings.scratchRoot(), "kernel-");
            scratchPath = scratch.toString();
        } else if (sandbox.cgroups() != Cgroup.Kind.NONE) {
            cgroup = Cgroup.create(pool, "kernel-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet(), sandbox.perKernel(),
                    urgent ? Cgroup.WEIGHT_BUSY : Cgroup.WEIGHT_STARTING);
        }
        List<String> java = new ArrayList<>();
        java.add(sandbox.java());                            // every path as the kernel sees it: the neutral ones in the sandbox
        java.addAll(jvmOptions(settings, scratchPath));
        java.addAll(KernelJit.options(jit, sandbox));
        if (settings.sharedModels() != null) {
            // the server may still be filling the folder in the background, but a bind mount needs it now
            Files.createDirectories(settings.sharedModels());
            java.add("-D" + ModelCatalog.SHIPPED_PROPERTY + "=" + sandbox.models(settings.sharedModels()));
        }
        if (sandbox.available()) java.add("-D" + KernelLaunch.SECCOMP_REQUIRED + "=true");   // fail closed, not with a warning
        if (aotCache != null) {
            java.add("-XX:AOTCache=" + sandbox.inCache(aotCache));   // instead of the JDK's default CDS archive (-Xshare:auto)
        } else {
            java.add("-Xshare:auto");
        }
        java.addAll(loading(settings.libraries(), sandbox));
        Sandbox.Command command;
        try {
            command = sandbox.wrap(java, settings.libraries().all(), settings.sharedModels(), aotCache, jit, cgroup, settings.scratchRoot());
        } catch (IOException e) {
            if (cgroup != null) cgroup.delete();
            throw e;
        }
        ProcessBuilder builder = new ProcessBuilder(command.arguments());
        if (scratch != null) builder.directory(scratch.toFile());
        builder.environment().clear();                       // the server's secrets stay in the server
        builder.environment().put("LANG", "C.UTF-8");
        Process process;
        try {
            process = launch(builder);
        } catch (IOException e) {
            if (cgroup != null) cgroup.delete();
            if (command.argumentsFile() != null) Files.deleteIfExists(command.argumentsFile());
            throw e;
        }
        KernelProcess kernel = new KernelProcess(process, scratch, cgroup, settings.outputCap());
        kernel.send(kernel.seal.handOver());              // the first line, read before any cell runs
        kernel.pooled = pool != null;
        kernel.weight = urgent ? Cgroup.WEIGHT_BUSY : Cgroup.WEIGHT_STARTING;
        Duration timeout = urgent || cgroup == null ? START_TIMEOUT : BACKGROUND_START_TIMEOUT;
        try {
            kernel.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            kernel.backgroundThreads = kernel.jvmThreadsNamed("C1 CompilerThre", "C2 CompilerThre", "Training repla",
                    "glassbox-flushe", "Thread-");
        } catch (TimeoutException | InterruptedException | java.util.concurrent.ExecutionException e) {
            kernel.kill();
            throw new IOException("kernel did not start within " + timeout.toSeconds() + " s: "
                    + String.join(" | ", kernel.stderrTail()), e);
        }
        return kernel;
    }

    /**
     * Gives the kernel a running cell's CPU weight, or an idle kernel's (see {@link Cgroup#WEIGHT_BUSY}):
     * the server calls it around every request it sends.
     */
    synchronized void prioritize(boolean running) {
        prioritize(running ? Cgroup.WEIGHT_BUSY : Cgroup.WEIGHT_IDLE);
    }

    /** Gives the kernel the CPU weight {@code wanted} (one of {@link Cgroup}'s {@code WEIGHT_*}). */
    synchronized void prioritize(int wanted) {
        if (cgroup == null || wanted == weight) return;
        weight = wanted;
        cgroup.cpuWeight(wanted);
    }

    /**
     * The kernel's own background threads, which never run a learner's code: the JIT compilers (and the AOT
     * cache's compile replay), the output flusher, and JShell's class path indexer (the one thread named
     * "Thread-N" when the kernel is ready: JShell's snippet threads have ended by then). Found by name when the
     * kernel said it was ready, before any learner code ran: a cell can name its threads as it likes, so names
     * are only trusted then. With a fixed number of compiler threads, no other compiler thread appears later.
     */
    java.util.Set<Long> backgroundThreads() {
        return backgroundThreads;
    }

    private java.util.Set<Long> jvmThreadsNamed(String... prefixes) {
        java.util.Set<Long> tids = new java.util.HashSet<>();
        for (ProcessHandle p : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String name = Files.readString(task.resolve("comm")).strip();
                        for (String prefix : prefixes) {
                            if (name.startsWith(prefix)) tids.add(Long.parseLong(task.getFileName().toString()));
                        }
                    } catch (IOException | RuntimeException ignored) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException ignored) {
                // no /proc, or the process ended
            }
        }
        return java.util.Set.copyOf(tids);
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The kernel JVM's options, but for the class path and the class data sharing archive (the AOT cache, or
     * the JDK's default archive). {@link KernelCache} builds its cache with the same options.
     */
    static List<String> jvmOptions(KernelSettings settings, String scratchPath) {
        return List.of(
                "-XX:+UseSerialGC", "-Xms16m", "-Xmx" + settings.maxHeap(), "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:MaxDirectMemorySize=256m",
                "-XX:-UsePerfData", "-Xss1m",
                // JIT compilers and C2's memory: a fixed set of compiler threads (all started before any cell, so
                // the watchdog can tell them from a cell's threads), and C2's freed arenas given back to the system
                "-XX:-UseDynamicNumberOfCompilerThreads", "-XX:TrimNativeHeapInterval=5000",
                // the modules a class-path program gets by default (a kernel's main class is in a named module, which
                // would resolve only what it requires), and the Vector API
                "--add-modules", "ALL-DEFAULT,jdk.incubator.vector",
                // native code and raw memory only for the runtime (its seccomp filter), never for a cell: no foreign
                // function calls, no sun.misc.Unsafe reads of the runtime's memory
                "--enable-native-access=" + KernelClassPath.RUNTIME_MODULE, "--illegal-native-access=deny",
                "--sun-misc-unsafe-memory-access=deny",
                // a kernel has one CPU of quota: model kernels split large matmuls over no more threads than that
                "-Dglassbox.threads=1",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
                "-Djava.io.tmpdir=" + scratchPath, "-Duser.home=" + scratchPath, "-Duser.dir=" + scratchPath,
                "-D" + KernelLaunch.OUTPUT_CAP + "=" + settings.outputCap());
    }

    /** The JVM's arguments that load the runtime's module and the cells' libraries, named as the kernel sees them. */
    static List<String> loading(KernelClassPath libraries, Sandbox sandbox) {
        List<String> inside = sandbox.classPath(libraries.all());
        int modules = libraries.modulePath().size();
        return KernelClassPath.arguments(inside.subList(0, modules), inside.subList(modules, inside.size()), KernelLaunch.MAIN_CLASS);
    }

    /** Processes the kernel's process has started, as the server sees them (in a sandbox: bubblewrap's own and the JVM). */
    long descendants() {
        return process.descendants().count();
    }

    /** CPU time used so far by the kernel and everything it started. */
    Duration cpuTime() {
        Duration total = process.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle child : process.descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /** One thread's scheduler counters: nanoseconds spent running, and running or waiting to run. */
    record ThreadSample(long runnableNanos, long runningNanos, String name) {}

    /**
     * For each thread of the kernel and what it started: nanoseconds spent running, and running or waiting to
     * run, from {@code /proc/<pid>/task/<tid>/schedstat}. A thread that spins is runnable all the time however
     * busy the machine is, whereas its CPU time shrinks when other kernels compete for the cores. Empty when
     * the system does not report it.
     */
    Map<Long, ThreadSample> threadSamples() {
        Map<Long, ThreadSample> threads = new java.util.HashMap<>();
        for (ProcessHandle p : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String[] fields = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                        String name = "?";
                        try {
                            name = Files.readString(task.resolve("comm")).strip();
                        } catch (IOException ignored) {
                            // the thread ended meanwhile
                        }
                        threads.put(Long.parseLong(task.getFileName().toString()),
                                new ThreadSample(Long.parseLong(fields[0]) + Long.parseLong(fields[1]), Long.parseLong(fields[0]), name));
                    } catch (IOException | RuntimeException ignored) {
                        // the thread ended meanwhile
                    }
                }
            } catch (IOException ignored) {
                // the process ended meanwhile, or there is no /proc
            }
        }
        return threads;
    }

    /** Resident memory of the kernel's process tree in bytes (from /proc), or -1 when unknown. */
    long residentBytes() {
        Long total = ProcessMemory.ofTrees(java.util.List.of(process.pid())).get(process.pid());
        return total == null ? -1 : total;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Why this kernel, found dead, ended, for the learner: the known cause, else its exit code. Waits up to
     * two seconds for the reader to see the exit; null if it has not.
     */
    String deathCause() {
        for (int i = 0; i < 200 && exited == null; i++) {          // up to 2 s: the reader may be slow on a busy server
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Exited x = exited;
        if (x == null) return null;
        if (malformed != null) return "it broke its protocol with the server: " + malformed;
        return x.cause() != null ? x.cause() : "exit code " + x.exitCode();
    }

    boolean alive() {
        return exited == null && malformed == null && process.isAlive();
    }

    /** Registers interest in request {@code id}; messages for it (and an {@link Exited}) arrive on the queue. */
    BlockingQueue<Object> subscribe(long id) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(MAX_QUEUED_OUTPUTS + RESERVED);
        waiting.put(id, queue);
        if (exited != null) queue.offer(exited);
        return queue;
    }

    void unsubscribe(long id) {
        waiting.remove(id);
    }

    /** The CPU weight the kernel has now (one of {@link Cgroup}'s {@code WEIGHT_*}). */
    synchronized int weight() {
        return weight;
    }

    /** The message that handed this JVM its key (tests look for the key where a cell could). */
    HostMessage.Key key() {
        return seal.handOver();
    }

    /** Whether {@code reply} is this kernel's runtime's answer to the request that ran {@code code}. */
    boolean sealed(KernelMessage.Reply reply, String code, boolean check) {
        return seal.verifies(reply, code, check);
    }

    /** Sends a request; returns false when the kernel is gone. */
    synchronized boolean send(HostMessage message) {
        if (message instanceof HostMessage.Execute e) {
            currentRequest = e.id();
            synchronized (stdout) {
                readForRequest = 0;
                budgetNoted = false;
            }
        }
        try {
            stdin.write((Wire.encode(message) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the kernel and anything it started, then removes its scratch folder. */
    void kill() {
        kill("killed by the server");
    }

    /** As {@link #kill()}; {@code reason} goes to the log when the kernel's exit is seen. */
    void kill(String reason) {
        if (stopReason == null) stopReason = reason;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        if (cgroup != null) cgroup.killAll();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cleanUp();
    }

    /** Asks the kernel to exit, and kills it if it does not. */
    void shutdown() {
        if (stopReason == null) stopReason = "shut down by the server";
        send(new HostMessage.Shutdown());
        try {
            if (!process.waitFor(1, TimeUnit.SECONDS)) kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        cleanUp();
    }

    List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** The last lines of standard error written after the kernel was ready (the JVM's start-up warnings left out). */
    List<String> stderrSinceReady() {
        synchronized (stderrTail) {
            List<String> all = List.copyOf(stderrTail);
            if (stderrLinesAtReady < 0) return all;
            long since = stderrLines - stderrLinesAtReady;
            return all.subList((int) Math.max(0, all.size() - since), all.size());
        }
    }

    private void readStdout() {
        try (InputStream in = process.getInputStream()) {
            int maxLine = (int) Math.min(MAX_LINE_BYTES, readBudget);
            // What the server reads for one request is counted before anything is decoded, as it is read (so a line
            // without end counts too): past the budget only short lines (the reply) are decoded, and a kernel that
            // keeps writing is killed.
            readLines(in, maxLine, this::countRead, (line, cut) -> {
                boolean note = false;
                long read;
                synchronized (stdout) {
                    read = readForRequest += LINE_COST;
                    if (read > readBudget && !budgetNoted) note = budgetNoted = true;
                }
                if (!countRead(0)) return;                     // the line's own cost may be the one past the flood bound
                if (note) {
                    route(currentRequest, new KernelMessage.Emitted(currentRequest, new Output.Stream("stderr",
                            "\n[output truncated: past " + (readBudget >> 10) + " KB the server reads no more of this cell's output]\n")));
                }
                if (cut) {
                    if (!note && read <= readBudget) {
                        route(currentRequest, new KernelMessage.Emitted(currentRequest,
                                new Output.Stream("stderr", "\n[output truncated: a line over " + (maxLine >> 10) + " KB was dropped]\n")));
                    }
                } else if (read <= readBudget) {
                    dispatch(line.toString(StandardCharsets.UTF_8), true);
                } else if (line.size() <= SHORT_LINE_BYTES) {
                    dispatch(line.toString(StandardCharsets.UTF_8), false);      // the reply, or nothing
                }
            });
        } catch (IOException ignored) {
            // the process ended
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            code = -1;
        }
        try {
            Thread.sleep(50);                        // let the stderr reader take the last lines (a crash report)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> tail = stderrSinceReady();
        Cgroup.Events events = cgroup == null ? Cgroup.Events.NONE : cgroup.events();   // before cleanUp removes the group
        String cause = stopReason != null ? null : cause(code, tail, events, pooled);
        exited = new Exited(code, String.join("\n", tail), cause);
        logExit(code, tail, events, cause);
        ready.completeExceptionally(new IOException("kernel exited with code " + code
                + (cause != null ? " (" + cause + ")" : "") + (tail.isEmpty() ? "" : ": " + String.join(" | ", tail))));
        waiting.values().forEach(q -> q.offer(exited));
        cleanUp();                                   // it ended by itself (System.exit, OOM killer): nobody calls kill()
    }

    /**
     * Counts {@code bytes} more read from the kernel for the current request (on either stream, before any decoding);
     * false, and the kernel is being killed, once it has written {@link #FLOOD_BUDGETS} budgets.
     */
    private boolean countRead(long bytes) {
        long read;
        synchronized (stdout) {
            read = readForRequest += bytes;
        }
        if (read <= FLOOD_BUDGETS * readBudget) return malformed == null;
        reject("it wrote over " + (FLOOD_BUDGETS * readBudget >> 20) + " MB for one cell, past every output cap");
        return false;
    }

    /**
     * Why a kernel the server did not stop has ended, as far as the exit code, the cgroup's event counters
     * and the JVM's last words tell; null when they do not say. (Bubblewrap exits with its child's code, or
     * 128 + the signal that killed it.)
     */
    static String cause(int code, List<String> stderr, Cgroup.Events events) {
        return cause(code, stderr, events, false);
    }

    /**
     * As {@link #cause(int, List, Cgroup.Events)}; {@code pooled} when the kernel's group is inside a pool's group with a
     * memory budget: an OOM kill of a kernel that never reached its own limit then came from the budget of all kernels.
     */
    static String cause(int code, List<String> stderr, Cgroup.Events events, boolean pooled) {
        String text = String.join("\n", stderr);
        if (events.oomKills() > 0 && pooled && events.memoryLimitHits() == 0) {
            return "the kernels of the class together used all the memory they may share (the server's memory budget for "
                    + "kernels), and the system stopped this one, which held the most";
        }
        if (events.oomKills() > 0) return "it used more memory than a kernel may (its memory limit)";
        if (text.contains("OutOfMemoryError")) return "the JVM ran out of memory";
        if (events.pidsLimitHits() > 0 && (text.contains("pthread_create") || text.contains("unable to create native thread")
                || text.contains("Cannot create worker GC thread") || text.contains("fork"))) {
            return "it started more threads than a kernel may";
        }
        if (text.contains("A fatal error has been detected") || text.contains("# Internal Error")) return "the kernel JVM crashed";
        if (code == KernelLaunch.EXIT_TOO_MANY_THREADS) return "a cell left more threads running than a kernel may keep";
        if (code == KernelLaunch.EXIT_NO_KEY) return "it did not get the key of its seal from the server";
        if (code == KernelLaunch.EXIT_NO_SYSCALL_FILTER) return "it could not install its system call filter (seccomp), which the sandbox requires";
        if (code == 0) return "it exited (System.exit in a cell, or the server went away)";
        if (code > 128 && code < 128 + 65) return "it was killed by signal " + (code - 128) + signalName(code - 128);
        return null;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 9 -> " (SIGKILL)";
            case 15 -> " (SIGTERM)";
            case 6 -> " (SIGABRT)";
            case 11 -> " (SIGSEGV)";
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 31 -> " (SIGSYS: a forbidden system call)";
            default -> "";
        };
    }

    private void logExit(int code, List<String> tail, Cgroup.Events events, String cause) {
        String what = "kernel pid " + process.pid() + " exited after " + (System.nanoTime() - startedAt) / 1_000_000_000 + " s with code "
                + code + (code > 128 && code < 128 + 65 ? " (signal " + (code - 128) + signalName(code - 128) + ")" : "")
                + (events == Cgroup.Events.NONE ? "" : ", cgroup: " + events)
                + (tail.isEmpty() ? ", no stderr" : ", last stderr: " + String.join(" | ", tail));
        if (stopReason != null) {
            // the server's own decisions: routine ones quietly, the watchdog and runaway cells where an admin sees them
            boolean routine = stopReason.equals("closed") || stopReason.startsWith("shut down") || stopReason.startsWith("killed by the server");
            LOG.log(routine ? java.util.logging.Level.FINE : java.util.logging.Level.INFO, what + " [" + stopReason + "]");
        } else {
            LOG.warning(what + (cause != null ? " [" + cause + "]" : " [cause unknown]"));
        }
    }

    /** Receives one line (without its '\n'), cut to the reader's maximum; {@code cut} says whether bytes were dropped. */
    private interface LineHandler {
        void line(ByteArrayOutputStream line, boolean cut);
    }

    /** Hears of every chunk read, before it is split into lines; false stops reading. */
    private interface ChunkCounter {
        boolean read(long bytes);
    }

    /**
     * Splits {@code in} into lines of at most {@code maxBytes}, reading in chunks: a cell that floods the
     * kernel's real stdout or stderr must not cost the server a core, and a longer line is never kept whole.
     * {@code counter} hears of every chunk first (the bytes of a line cut short too) and may stop the reading.
     * Returns the unfinished last line.
     */
    private static ByteArrayOutputStream readLines(InputStream in, int maxBytes, ChunkCounter counter, LineHandler handler) throws IOException {
        byte[] chunk = new byte[1 << 16];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean cut = false;
        for (int n; (n = in.read(chunk)) != -1; ) {
            if (!counter.read(n)) {
                in.transferTo(OutputStream.nullOutputStream());   // the kernel is being killed: drain its pipe without looking
                break;
            }
            int start = 0;
            for (int i = 0; i <= n; i++) {
                if (i < n && chunk[i] != '\n') continue;
                int room = maxBytes - line.size();
                line.write(chunk, start, Math.min(room, i - start));
                cut |= i - start > room;
                if (i == n) break;                          // the line goes on in the next chunk
                handler.line(line, cut);
                if (line.size() > (1 << 20)) line = new ByteArrayOutputStream();   // give back a big line's buffer
                line.reset();
                cut = false;
                start = i + 1;
            }
        }
        return line;
    }

    /**
     * Decodes one line and routes it; {@code outputs} false (the request's budget is spent): only the messages that end
     * a request are routed, no output.
     */
    private void dispatch(String line, boolean outputs) {
        if (!outputs && !line.startsWith("{")) return;
        KernelMessage message = null;
        if (line.startsWith("{")) {
            try {
                message = Wire.decode(line, KernelMessage.class);
            } catch (JsonProcessingException e) {
                message = null;
            }
        }
        String problem = message == null ? null : KernelMessage.problem(message);
        if (problem != null) {
            reject(problem);
            return;
        }
        switch (message) {
            case null -> {
                if (outputs) route(currentRequest, new KernelMessage.Emitted(currentRequest, new Output.Stream("stderr", line + "\n")));
            }
            case KernelMessage.Ready r -> {
                synchronized (stderrTail) {
                    if (stderrLinesAtReady < 0) stderrLinesAtReady = stderrLines;
                }
                ready.complete(r);
            }
            case KernelMessage.Emitted e -> {
                if (outputs) route(e.id(), e);
            }
            case KernelMessage.Reply r -> route(r.id(), r);
            case KernelMessage.Completions c -> route(c.id(), c);
        }
    }

    /** Kills the kernel for a malformed message or a flood of output, and tells whoever waits for it. */
    private void reject(String problem) {
        if (malformed != null) return;
        malformed = problem;
        LOG.warning("kernel pid " + process.pid() + " broke its protocol (" + problem + "): killing it");
        Malformed notice = new Malformed(problem);
        waiting.values().forEach(q -> q.offer(notice));
        Thread.ofPlatform().daemon().name("kernel-kill-" + process.pid()).start(() -> kill("broke its protocol: " + problem));
    }

    /**
     * Hands a message to whoever waits for request {@code id}. The queue is bounded: an output that finds it full is
     * dropped (the request's reader has stalled; what it still gets says the output was truncated), while the room
     * kept in every queue takes the messages that end a request.
     */
    private void route(long id, Object message) {
        BlockingQueue<Object> queue = waiting.get(id);
        if (queue == null) return;
        if (message instanceof KernelMessage.Emitted && queue.remainingCapacity() <= RESERVED) return;
        queue.offer(message);
    }

    /**
     * Keeps the last lines the kernel JVM printed to its real standard error (JVM warnings, a crash), for
     * start-up failures. A cell can write there too, so only the first bytes of each line are kept: a
     * line without end must not fill the server's memory.
     */
    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            ByteArrayOutputStream rest = readLines(in, MAX_STDERR_LINE_BYTES, this::countRead,
                    (line, cut) -> keepStderr(line.toString(StandardCharsets.UTF_8) + (cut ? "…" : "")));
            if (rest.size() > 0) keepStderr(rest.toString(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void keepStderr(String line) {
        synchronized (stderrTail) {
            stderrLines++;
            stderrTail.addLast(line);
            while (stderrTail.size() > 20) stderrTail.removeFirst();
        }
    }

    /** Removes the scratch folder and the cgroup. */
    private void cleanUp() {
        if (cgroup != null) cgroup.delete();
        if (scratch == null) return;
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
