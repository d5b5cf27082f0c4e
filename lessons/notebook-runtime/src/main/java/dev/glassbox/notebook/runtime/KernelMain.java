package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.HostMessage;
import dev.glassbox.notebook.protocol.KernelLaunch;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.notebook.protocol.Wire;
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
    /**
     * Platform threads a kernel may keep after a cell. A cell that leaves more (a thread bomb) has used up
     * what the sandbox allows (256 processes and threads), so the JVM could not even start its own threads
     * any more: the kernel ends, and the server starts a fresh one.
     */
    static final int MAX_THREADS_AFTER_CELL = 200;

    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        String unfiltered = ProcessFilter.install();         // before any cell: no process can be started from here on
        if (unfiltered != null && Boolean.getBoolean(KernelLaunch.SECCOMP_REQUIRED)) {
            System.err.println("glassbox kernel: the system call filter could not be installed (" + unfiltered + "); "
                    + "the sandbox requires it, so this kernel does not start");
            Runtime.getRuntime().halt(KernelLaunch.EXIT_NO_SYSCALL_FILTER);
        }
        if (unfiltered != null) System.err.println("glassbox kernel: cells can start processes (" + unfiltered + ")");
        PrintStream wire = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        SealKey seal = readSeal();                            // before any cell can read standard input
        BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in), StandardCharsets.UTF_8));
        Channel channel = new Channel(wire, Long.getLong(KernelLaunch.OUTPUT_CAP, 256 * 1024));
        Channel.install(channel);
        StreamCapture out = new StreamCapture("stdout", channel);
        StreamCapture err = new StreamCapture("stderr", channel);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(InputStream.nullInputStream());

        // cells compile in the unnamed module against the class path, and see this module's exported API (Display, Checks)
        JShell shell = JShell.builder()
                .executionEngine("local")
                .compilerOptions("--class-path", System.getProperty("java.class.path"),
                        "--module-path", System.getProperty("jdk.module.path", ""),
                        "--add-modules", "jdk.incubator.vector," + KernelMain.class.getModule().getName(), "-Xlint:-incubating")
                .build();
        CellRunner runner = new CellRunner(shell, channel);
        ExecutorService cells = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("glassbox-cells").unstarted(r));
        Requests handler = new Requests(runner, channel, out, err, cells, seal);

        runner.warmUp();
        warmUp(handler, channel, runner);
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

        channel.send(new KernelMessage.Ready(ProcessHandle.current().pid(), Runtime.version().toString()));
        Thread.ofPlatform().daemon().name("glassbox-warm-kernels").start(() -> warmFirstModelCell(handler));

        for (String line; (line = readLine(in)) != null; ) handler.handle(line);
        Runtime.getRuntime().halt(0);                          // the server is gone
    }

    /**
     * Cells a kernel runs before it says it is ready, the way a learner's cells run: each is a JSON line that
     * goes through the same decoding, cell thread, JShell, output capture and encoding (to a muted channel).
     * In a fresh JVM all of that is cold code, which made a learner's first cells several times slower than
     * the later ones; a kernel in the pool pays for it before anyone waits. The set is small on purpose:
     * more warm-up (streams, the Vector API, tables, errors) cost a kernel 2–2.5 s more CPU at start and
     * 8–14 MB more memory, and did not make later cells cheaper, whose cost is mostly the JIT compilers' background
     * work over the first few hundred cells (BENCHMARKS.md, "A class on one server"). Every snippet is dropped
     * afterwards and the count starts again at 1.
     */
    static final List<String> WARM_UP = List.of("1 + 1", "int warmC = 2;", "warmC * 21", "System.out.println(warmC);",
            "static int warmTwice(int x) {\n    int s = 0;\n    for (int i = 0; i < 2; i++) s += x;\n    return s;\n}", "warmTwice(warmC)");
    static final int WARM_UP_ROUNDS = 3;

    private static void warmUp(Requests handler, Channel channel, CellRunner runner) throws Exception {
        channel.mute(true);
        try {
            long id = -1;
            for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                for (String code : WARM_UP) handler.handle(Wire.encode(new HostMessage.Execute(id--, code, "warm-up", false)));
            }
            handler.handle(Wire.encode(new HostMessage.Execute(id--, "assertEquals(42, warmTwice(21), \"twice\");", "check", true)));
            handler.handle(Wire.encode(new HostMessage.Complete(id--, "warmC.", 6)));
            handler.cells.submit(() -> { }).get();               // the cell thread has run them all
        } finally {
            channel.mute(false);
        }
        runner.forgetWarmUp();
        handler.claimed().set(false);                          // the kernel's own requests do not claim it
    }

    /** The shipped models' warm-up of a lesson's first model cell, when they are on the class path. */
    static final String WARM_UP_CLASS = "dev.glassbox.tinymodels.KernelWarmUp";

    /**
     * While the kernel waits for its first request (in the pool, before a learner has it), it runs the cold code of a
     * lesson's first model cell ({@value #WARM_UP_CLASS}): reading the shipped models and the Vector API kernels, which
     * run many times slower until the JIT has compiled them. A learner's first forward pass then takes a fraction of a
     * second instead of seconds (BENCHMARKS.md). The server's claim when it hands the kernel to a learner (or any
     * first request) stops it, so a kernel handed out at once (a class arriving) spends next to nothing on it; a
     * partial warm-up still helps. No learner code has run yet, so the
     * server's idle watchdog leaves a kernel alone until its first cell.
     */
    private static void warmFirstModelCell(Requests handler) {
        try {
            Class<?> warmUp = Class.forName(WARM_UP_CLASS, true, ClassLoader.getSystemClassLoader());
            java.util.function.BooleanSupplier unclaimed = () -> !handler.claimed().get();
            warmUp.getMethod("run", java.util.function.BooleanSupplier.class).invoke(null, unclaimed);
            if (unclaimed.getAsBoolean()) System.gc();                 // give back its arrays: idle kernels stay small
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no shipped models on the class path, or they failed: the learner's cells show that themselves
        }
    }

    /** Serves the server's requests: cells and completions on the cell thread, interrupts at once. */
    private record Requests(CellRunner runner, Channel channel, StreamCapture out, StreamCapture err, ExecutorService cells, SealKey seal,
                            java.util.concurrent.atomic.AtomicBoolean claimed) {
        Requests(CellRunner runner, Channel channel, StreamCapture out, StreamCapture err, ExecutorService cells, SealKey seal) {
            this(runner, channel, out, err, cells, seal, new java.util.concurrent.atomic.AtomicBoolean());
        }

        void handle(String line) throws InterruptedException {
            HostMessage message;
            try {
                message = Wire.decode(line, HostMessage.class);
            } catch (IOException e) {
                return;                                       // not ours: the server only sends valid lines
            }
            claimed.set(true);
            switch (message) {
                case HostMessage.Execute e -> cells.execute(() -> execute(e));
                case HostMessage.Complete c -> {
                    if (runner.running()) channel.send(new KernelMessage.Completions(c.id(), c.cursor(), List.of()));
                    else cells.execute(() -> channel.send(completions(runner, c)));
                }
                case HostMessage.Claim _ -> { }              // claimed above: the pool's warm-up stops
                case HostMessage.Interrupt _ -> runner.stop();
                case HostMessage.Key _ -> { }                 // only the first line gives the key
                case HostMessage.Shutdown _ -> {
                    cells.shutdownNow();
                    cells.awaitTermination(100, TimeUnit.MILLISECONDS);
                    Runtime.getRuntime().halt(0);
                }
            }
        }

        private void execute(HostMessage.Execute e) {
            long wallStart = System.nanoTime();
            long cpuStart = processCpuNanos();
            channel.begin(e.id(), e.check());
            KernelMessage.Reply.Status status;
            try {
                status = runner.execute(e.code(), e.label(), e.check());
            } catch (Throwable t) {              // JShell itself failed: report, keep serving
                channel.emit(new Output.Error(t.getClass().getName(), failure(t), 0, 0, List.of()));
                status = KernelMessage.Reply.Status.ERROR;
            }
            out.drain();
            err.drain();
            out.reset();
            err.reset();
            int threads = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
            if (threads > MAX_THREADS_AFTER_CELL) {
                channel.emit(new Output.Error("TooManyThreads", "This cell left " + threads
                        + " threads running, more than a kernel may keep, so the kernel is restarted.", 0, 0, List.of()));
                Runtime.getRuntime().halt(KernelLaunch.EXIT_TOO_MANY_THREADS);
            }
            int count = runner.executionCount();
            channel.send(new KernelMessage.Reply(e.id(), status, count, (System.nanoTime() - wallStart) / 1000,
                    Math.max(0, processCpuNanos() - cpuStart) / 1000, seal.sign(e.id(), status, count, e.code(), e.check())));
        }
    }

    /** CPU time of this whole JVM (all threads), or 0 when the platform does not say. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
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

    /**
     * The key replies are sealed with, from the first line the server sends, read straight from standard input (not
     * through a buffer on the heap, see {@link SealKey}); without one the kernel cannot serve.
     */
    private static SealKey readSeal() {
        try {
            SealKey key = SealKey.read(new FileInputStream(FileDescriptor.in));   // not closed: it is the kernel's stdin
            if (key != null) return key;
        } catch (IOException e) {
            // named below
        }
        System.err.println("glassbox kernel: the first line from the server must be its key");
        Runtime.getRuntime().halt(KernelLaunch.EXIT_NO_KEY);
        throw new AssertionError();
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
