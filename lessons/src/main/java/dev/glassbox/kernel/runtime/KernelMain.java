package dev.glassbox.kernel.runtime;

import dev.glassbox.kernel.Output;
import dev.glassbox.kernel.protocol.HostMessage;
import dev.glassbox.kernel.protocol.KernelMessage;
import dev.glassbox.kernel.protocol.Wire;
import jdk.incubator.vector.FloatVector;
import jdk.jshell.JShell;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The entry point of a kernel JVM. Standard input and output carry the protocol (one JSON message per
 * line); the cells' own {@code System.out}/{@code System.err} are captured and sent as stream outputs,
 * and {@code System.in} is empty. One thread reads requests, one runs cells, one flushes output.
 * When the server goes away (standard input closes) the kernel exits at once.
 */
public final class KernelMain {
    /** System property: bytes of output one cell may send before it is truncated. */
    public static final String OUTPUT_CAP = "glassbox.kernel.outputCap";
    /**
     * Platform threads a kernel may keep after a cell. A cell that leaves more (a thread bomb) has used up
     * what the sandbox allows (256 processes and threads), so the JVM could not even start its own threads
     * any more: the kernel ends, and the server starts a fresh one.
     */
    static final int MAX_THREADS_AFTER_CELL = 200;
    /** Exit code of a kernel that ended itself because a cell left too many threads. */
    static final int EXIT_TOO_MANY_THREADS = 3;

    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        String unfiltered = ProcessFilter.install();         // before any cell: no process can be started from here on
        if (unfiltered != null) System.err.println("glassbox kernel: cells can start processes (" + unfiltered + ")");
        PrintStream wire = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        InputStream requests = new FileInputStream(FileDescriptor.in);
        Channel channel = new Channel(wire, Long.getLong(OUTPUT_CAP, 256 * 1024));
        Channel.install(channel);
        StreamCapture out = new StreamCapture("stdout", channel);
        StreamCapture err = new StreamCapture("stderr", channel);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(InputStream.nullInputStream());

        JShell shell = JShell.builder()
                .executionEngine("local")
                .compilerOptions("--class-path", System.getProperty("java.class.path"),
                        "--add-modules", "jdk.incubator.vector", "-Xlint:-incubating")
                .build();
        CellRunner runner = new CellRunner(shell, channel);
        runner.warmUp();
        System.gc();                                           // give back the warm-up's garbage: idle kernels stay small

        Thread flusher = Thread.ofPlatform().daemon().name("glassbox-flusher").start(() -> {
            while (true) {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
                out.drain();
                err.drain();
            }
        });
        flusher.setPriority(Thread.MAX_PRIORITY);

        ExecutorService cells = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("glassbox-cells").unstarted(r));
        channel.send(new KernelMessage.Ready(ProcessHandle.current().pid(), Runtime.version().toString(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize()));

        BufferedReader in = new BufferedReader(new InputStreamReader(requests, StandardCharsets.UTF_8));
        for (String line; (line = readLine(in)) != null; ) {
            HostMessage message;
            try {
                message = Wire.decode(line, HostMessage.class);
            } catch (IOException e) {
                continue;                                     // not ours: the server only sends valid lines
            }
            switch (message) {
                case HostMessage.Execute e -> cells.execute(() -> {
                    channel.begin(e.id(), e.check());
                    String status;
                    try {
                        status = runner.execute(e.code(), e.label(), e.check());
                    } catch (Throwable t) {              // JShell itself failed: report, keep serving
                        channel.emit(new Output.Error(t.getClass().getName(), failure(t), 0, 0, List.of()));
                        status = "error";
                    }
                    out.drain();
                    err.drain();
                    out.reset();
                    err.reset();
                    int threads = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
                    if (threads > MAX_THREADS_AFTER_CELL) {
                        channel.emit(new Output.Error("TooManyThreads", "This cell left " + threads
                                + " threads running, more than a kernel may keep, so the kernel is restarted.", 0, 0, List.of()));
                        Runtime.getRuntime().halt(EXIT_TOO_MANY_THREADS);
                    }
                    channel.send(new KernelMessage.Reply(e.id(), status, runner.executionCount()));
                });
                case HostMessage.Complete c -> {
                    if (runner.running()) channel.send(new KernelMessage.Completions(c.id(), c.cursor(), List.of()));
                    else cells.execute(() -> channel.send(completions(runner, c)));
                }
                case HostMessage.Interrupt _ -> runner.stop();
                case HostMessage.Shutdown _ -> {
                    cells.shutdownNow();
                    cells.awaitTermination(100, TimeUnit.MILLISECONDS);
                    Runtime.getRuntime().halt(0);
                }
            }
        }
        Runtime.getRuntime().halt(0);                          // the server is gone
    }

    /** What to tell the learner when JShell itself failed on their cell. */
    private static String failure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StackOverflowError || String.valueOf(c.getMessage()).contains("StackOverflowError")) {
                return "The compiler ran out of stack on this cell: it is nested too deeply (parentheses, blocks, "
                        + "generics or a very long expression). Split it into smaller pieces.";
            }
        }
        return String.valueOf(t.getMessage());
    }

    private static KernelMessage.Completions completions(CellRunner runner, HostMessage.Complete c) {
        try {
            return runner.complete(c.id(), c.code(), c.cursor());
        } catch (RuntimeException e) {
            return new KernelMessage.Completions(c.id(), c.cursor(), List.of());
        }
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
