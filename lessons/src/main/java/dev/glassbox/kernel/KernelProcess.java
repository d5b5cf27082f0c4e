package dev.glassbox.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glassbox.kernel.protocol.HostMessage;
import dev.glassbox.kernel.protocol.KernelMessage;
import dev.glassbox.kernel.protocol.Wire;
import dev.glassbox.kernel.runtime.KernelMain;
import dev.glassbox.models.ModelCatalog;

import java.io.File;
import java.io.ByteArrayOutputStream;
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
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Bytes kept of each line the kernel writes to its real standard error. */
    private static final int MAX_STDERR_LINE_BYTES = 500;

    /** Posted to every waiting request when the kernel's output ends. */
    record Exited(int exitCode, String stderrTail) {}

    private final Process process;
    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private final Path scratch;                    // host folder without a sandbox; null inside one (tmpfs)
    private final Cgroup cgroup;                   // null without writable cgroups
    private final OutputStream stdin;
    private final CompletableFuture<KernelMessage.Ready> ready = new CompletableFuture<>();
    private final Map<Long, BlockingQueue<Object>> waiting = new ConcurrentHashMap<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile long currentRequest;
    private volatile Exited exited;

    private KernelProcess(Process process, Path scratch, Cgroup cgroup) {
        this.process = process;
        this.scratch = scratch;
        this.cgroup = cgroup;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("kernel-out-" + process.pid()).start(this::readStdout);
        Thread.ofPlatform().daemon().name("kernel-err-" + process.pid()).start(this::readStderr);
    }

    /** Starts a kernel JVM (contained by {@code sandbox} when it is available) and waits until JShell is warm. */
    static KernelProcess start(KernelSettings settings, Sandbox sandbox) throws IOException {
        // the server may still be filling it in the background, but a bind mount needs the folder now
        if (settings.sharedModels() != null) Files.createDirectories(settings.sharedModels());
        Path scratch = null;
        Cgroup cgroup = null;
        String scratchPath = Sandbox.SCRATCH;
        if (!sandbox.available()) {
            Files.createDirectories(settings.scratchRoot());
            scratch = Files.createTempDirectory(settings.scratchRoot(), "kernel-");
            scratchPath = scratch.toString();
        } else if (sandbox.cgroups() != Cgroup.Kind.NONE) {
            cgroup = Cgroup.create("kernel-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet(), sandbox.perKernel());
        }
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> java = List.of(javaBin.toString(),
                "-XX:+UseSerialGC", "-Xms16m", "-Xmx" + settings.maxHeap(), "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:MaxDirectMemorySize=256m",
                "-XX:-UsePerfData", "-Xshare:auto", "-Xss1m",
                "--add-modules", "jdk.incubator.vector",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
                "-Djava.io.tmpdir=" + scratchPath, "-Duser.home=" + scratchPath, "-Duser.dir=" + scratchPath,
                "-D" + KernelMain.OUTPUT_CAP + "=" + settings.outputCap(),
                "-cp", String.join(File.pathSeparator, settings.classPath().stream().map(Path::toString).toList()),
                KernelMain.class.getName());
        if (settings.sharedModels() != null) {
            java = withProperty(java, ModelCatalog.SHIPPED_PROPERTY,
                    sandbox.available() ? Sandbox.MODELS : settings.sharedModels().toAbsolutePath().toString());
        }
        ProcessBuilder builder = new ProcessBuilder(sandbox.wrap(java, settings.classPath(), settings.sharedModels(), cgroup));
        if (scratch != null) builder.directory(scratch.toFile());
        builder.environment().clear();                       // the server's secrets stay in the server
        builder.environment().put("LANG", "C.UTF-8");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            if (cgroup != null) cgroup.delete();
            throw e;
        }
        KernelProcess kernel = new KernelProcess(process, scratch, cgroup);
        try {
            kernel.ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException | java.util.concurrent.ExecutionException e) {
            kernel.kill();
            throw new IOException("kernel did not start within " + START_TIMEOUT.toSeconds() + " s: "
                    + String.join(" | ", kernel.stderrTail()), e);
        }
        return kernel;
    }

    /** The java command with {@code -Dname=value} added right after the java binary. */
    private static List<String> withProperty(List<String> java, String name, String value) {
        List<String> command = new ArrayList<>(java);
        command.add(1, "-D" + name + "=" + value);
        return command;
    }

    /** CPU time used so far by the kernel and everything it started. */
    Duration cpuTime() {
        Duration total = process.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle child : process.descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /**
     * For each thread of the kernel and what it started: nanoseconds spent running or waiting to run, from
     * {@code /proc/<pid>/task/<tid>/schedstat}. A thread that spins is runnable all the time however busy
     * the machine is, whereas its CPU time shrinks when other kernels compete for the cores. Empty when
     * the system does not report it.
     */
    Map<Long, Long> runnableNanos() {
        Map<Long, Long> threads = new java.util.HashMap<>();
        for (ProcessHandle p : Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList()) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String[] fields = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                        threads.put(Long.parseLong(task.getFileName().toString()), Long.parseLong(fields[0]) + Long.parseLong(fields[1]));
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
        long total = 0;
        boolean any = false;
        for (ProcessHandle p : java.util.stream.Stream.concat(java.util.stream.Stream.of(process.toHandle()), process.descendants()).toList()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                        any = true;
                    }
                }
            } catch (IOException | NumberFormatException ignored) {
                // exited meanwhile
            }
        }
        return any ? total : -1;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return exited == null && process.isAlive();
    }

    /** Registers interest in request {@code id}; messages for it (and an {@link Exited}) arrive on the queue. */
    BlockingQueue<Object> subscribe(long id) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        waiting.put(id, queue);
        if (exited != null) queue.add(exited);
        return queue;
    }

    void unsubscribe(long id) {
        waiting.remove(id);
    }

    /** Sends a request; returns false when the kernel is gone. */
    synchronized boolean send(HostMessage message) {
        if (message instanceof HostMessage.Execute e) currentRequest = e.id();
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

    private void readStdout() {
        try (InputStream in = process.getInputStream()) {
            readLines(in, MAX_LINE_BYTES, (line, cut) -> {
                if (cut) {
                    route(currentRequest, new KernelMessage.Emitted(currentRequest,
                            new Output.Stream("stderr", "\n[a line of output over 16 MB was dropped]\n")));
                } else {
                    dispatch(line.toString(StandardCharsets.UTF_8));
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
        exited = new Exited(code, String.join("\n", stderrTail()));
        ready.completeExceptionally(new IOException("kernel exited with code " + code));
        waiting.values().forEach(q -> q.add(exited));
        cleanUp();                                   // it ended by itself (System.exit, OOM killer): nobody calls kill()
    }

    /** Receives one line (without its '\n'), cut to the reader's maximum; {@code cut} says whether bytes were dropped. */
    private interface LineHandler {
        void line(ByteArrayOutputStream line, boolean cut);
    }

    /**
     * Splits {@code in} into lines of at most {@code maxBytes}, reading in chunks: a cell that floods the
     * kernel's real stdout or stderr must not cost the server a core. Returns the unfinished last line.
     */
    private static ByteArrayOutputStream readLines(InputStream in, int maxBytes, LineHandler handler) throws IOException {
        byte[] chunk = new byte[1 << 16];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean cut = false;
        for (int n; (n = in.read(chunk)) != -1; ) {
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

    private void dispatch(String line) {
        KernelMessage message = null;
        if (line.startsWith("{")) {
            try {
                message = Wire.decode(line, KernelMessage.class);
            } catch (JsonProcessingException e) {
                message = null;
            }
        }
        switch (message) {
            case null -> route(currentRequest, new KernelMessage.Emitted(currentRequest, new Output.Stream("stderr", line + "\n")));
            case KernelMessage.Ready r -> ready.complete(r);
            case KernelMessage.Emitted e -> route(e.id(), e);
            case KernelMessage.Reply r -> route(r.id(), r);
            case KernelMessage.Completions c -> route(c.id(), c);
        }
    }

    private void route(long id, Object message) {
        BlockingQueue<Object> queue = waiting.get(id);
        if (queue != null) queue.add(message);
    }

    /**
     * Keeps the last lines the kernel JVM printed to its real standard error (JVM warnings, a crash), for
     * start-up failures. A cell can write there too, so only the first bytes of each line are kept: a
     * line without end must not fill the server's memory.
     */
    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            ByteArrayOutputStream rest = readLines(in, MAX_STDERR_LINE_BYTES,
                    (line, cut) -> keepStderr(line.toString(StandardCharsets.UTF_8) + (cut ? "…" : "")));
            if (rest.size() > 0) keepStderr(rest.toString(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void keepStderr(String line) {
        synchronized (stderrTail) {
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
