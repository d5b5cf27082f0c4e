package dev.glassbox.kernel;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.glassbox.kernel.protocol.HostMessage;
import dev.glassbox.kernel.protocol.KernelMessage;
import dev.glassbox.kernel.protocol.Wire;
import dev.glassbox.kernel.runtime.KernelMain;

import java.io.BufferedInputStream;
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

    /** Posted to every waiting request when the kernel's output ends. */
    record Exited(int exitCode, String stderrTail) {}

    private final Process process;
    private final Path scratch;
    private final OutputStream stdin;
    private final CompletableFuture<KernelMessage.Ready> ready = new CompletableFuture<>();
    private final Map<Long, BlockingQueue<Object>> waiting = new ConcurrentHashMap<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private volatile long currentRequest;
    private volatile Exited exited;

    private KernelProcess(Process process, Path scratch) {
        this.process = process;
        this.scratch = scratch;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("kernel-out-" + process.pid()).start(this::readStdout);
        Thread.ofPlatform().daemon().name("kernel-err-" + process.pid()).start(this::readStderr);
    }

    /** Starts a kernel JVM and waits until it has warmed up JShell. */
    static KernelProcess start(KernelSettings settings) throws IOException {
        Files.createDirectories(settings.scratchRoot());
        Path scratch = Files.createTempDirectory(settings.scratchRoot(), "kernel-");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString(),
                "-XX:+UseSerialGC", "-Xms16m", "-Xmx" + settings.maxHeap(), "-XX:MaxDirectMemorySize=256m",
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=4", "-Xshare:auto",
                "--add-modules", "jdk.incubator.vector",
                "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8",
                "-Djava.io.tmpdir=" + scratch, "-Duser.home=" + scratch, "-Duser.dir=" + scratch,
                "-D" + KernelMain.OUTPUT_CAP + "=" + settings.outputCap(),
                "-cp", String.join(File.pathSeparator, settings.classPath().stream().map(Path::toString).toList()),
                KernelMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(scratch.toFile());
        builder.environment().clear();                       // the server's secrets stay in the server
        builder.environment().put("LANG", "C.UTF-8");
        KernelProcess kernel = new KernelProcess(builder.start(), scratch);
        try {
            kernel.ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException | java.util.concurrent.ExecutionException e) {
            kernel.kill();
            throw new IOException("kernel did not start within " + START_TIMEOUT.toSeconds() + " s: "
                    + String.join(" | ", kernel.stderrTail()), e);
        }
        return kernel;
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
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteScratch();
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
        deleteScratch();
    }

    List<String> stderrTail() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    private void readStdout() {
        try (InputStream in = new BufferedInputStream(process.getInputStream(), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean overlong = false;
            for (int b; (b = in.read()) != -1; ) {
                if (b != '\n') {
                    if (line.size() < MAX_LINE_BYTES) line.write(b);
                    else overlong = true;
                    continue;
                }
                if (overlong) {
                    route(currentRequest, new KernelMessage.Emitted(currentRequest,
                            new Output.Stream("stderr", "\n[a line of output over 16 MB was dropped]\n")));
                } else {
                    dispatch(line.toString(StandardCharsets.UTF_8));
                }
                line.reset();
                overlong = false;
            }
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

    private void readStderr() {
        try (var reader = process.errorReader(StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (stderrTail) {
                    if (line.length() > 500) line = line.substring(0, 500) + "…";
                    stderrTail.addLast(line);
                    while (stderrTail.size() > 20) stderrTail.removeFirst();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private void deleteScratch() {
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
