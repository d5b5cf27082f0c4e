package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.protocol.HostMessage;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A learner's kernel: a stable id in front of a kernel JVM that may be replaced. Cells run one at a
 * time. A cell past its time limit is asked to stop; if it does not stop within the grace period the
 * JVM is killed and a fresh one takes its place, and the reply says so.
 */
public final class Kernel implements AutoCloseable {
    /**
     * Bytes of output the server accepts from one cell beyond the kernel's own cap, whatever the kernel
     * claims: room for the error a cell ends with (the kernel bounds its message and traceback). A cell
     * that writes straight to the kernel's standard output bypasses the kernel's cap and meets this one.
     */
    private static final long HOST_OUTPUT_MARGIN = 128 * 1024;
    /** Share of the time between two idle checks that one thread must spend running or runnable to count as spinning. */
    private static final double SPINNING_SHARE = 0.9;
    /** ... of which it must spend at least this share running (it gets the core it wants, now and then). */
    private static final double SPINNING_MIN_RUNNING_SHARE = 0.05;

    private final String id;
    private final KernelPool pool;
    private final KernelSettings settings;
    private final ReentrantLock running = new ReentrantLock(true);
    /**
     * Request ids are random (positive, 63 bits), not a count: a cell that learns the id of its own request (by
     * reflection on the kernel's runtime) cannot guess the next one, so it cannot write a reply for the check
     * that follows it.
     */
    private static final java.security.SecureRandom NONCES = new java.security.SecureRandom();
    private final AtomicLong cellsRun = new AtomicLong();          // cells and checks sent: completions do not count
    private final java.util.concurrent.Semaphore completing = new java.util.concurrent.Semaphore(1);
    private volatile KernelProcess process;
    /** How often a stop is sent again while the stopped cell has not answered. */
    private static final long STOP_REPEAT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private volatile long interruptAskedAt;          // System.nanoTime() of the learner's interrupt, 0 if none
    private volatile Instant lastUsed = Instant.now();
    private volatile boolean closed;
    private volatile String pendingNotice;          // told to the learner with their next cell
    private java.time.Duration lastCpu;            // watchdog state: CPU time at the last idle check
    private java.util.Map<Long, KernelProcess.ThreadSample> lastRunnable; // ... each thread's scheduler counters then
    private long lastCheck;                         // ... and System.nanoTime() then
    private int hotChecks;
    private long requestsAtCheck = -1;             // cells sent by the last idle check

    Kernel(String id, KernelPool pool, KernelProcess process) {
        this.id = id;
        this.pool = pool;
        this.settings = pool.settings();
        this.process = process;
    }

    public String id() {
        return id;
    }

    public boolean busy() {
        return running.isLocked();
    }

    public Instant lastUsed() {
        return lastUsed;
    }

    public long pid() {
        return process.pid();
    }

    /** Runs a cell; {@code listener} sees each output as it arrives. {@code label} names the cell in tracebacks. */
    public ExecuteReply execute(String code, String label, Consumer<Output> listener) {
        return run(code, label, false, listener);
    }

    /**
     * Runs an exercise's hidden check in this kernel, after the learner's cell: it passes when it
     * throws nothing. Its output is not shown and it leaves no declarations behind.
     */
    public ExecuteReply check(String code) {
        return run(code, "check", true, o -> {});
    }

    private ExecuteReply run(String code, String label, boolean check, Consumer<Output> listener) {
        if (closed) throw new IllegalStateException("kernel " + id + " is shut down");
        if (code.length() > settings.maxCellChars()) {
            Output rejected = new Output.Error("CellTooLarge", "This cell has " + code.length()
                    + " characters; a cell may have at most " + settings.maxCellChars() + ". Split it into smaller cells.",
                    0, 0, List.of());
            listener.accept(rejected);
            return new ExecuteReply(Status.REJECTED, 0, 0, List.of(rejected), false);
        }
        running.lock();
        try {
            lastUsed = Instant.now();
            List<Output> outputs = new ArrayList<>();
            Consumer<Output> collect = o -> {
                outputs.add(o);
                listener.accept(o);
            };
            boolean restartedBefore = false;
            String notice = pendingNotice;
            if (notice != null) {
                pendingNotice = null;
                restartedBefore = true;
                if (!process.alive()) replaceProcess();
                collect.accept(stopped(notice));
            } else if (!process.alive()) {
                String why = process.deathCause();
                replaceProcess();
                restartedBefore = true;
                collect.accept(stopped("The kernel had stopped" + (why == null ? "" : " (" + why + ")")
                        + ", so a new one was started: variables from earlier cells are gone. Run them again if this cell needs them."));
            }
            // The time limit counts from here: not from waiting for the lock, nor for a new kernel JVM to start
            long started = System.nanoTime();
            ExecuteReply reply = exchange(code, label, check, collect, outputs, started);
            return restartedBefore && !reply.restarted()
                    ? new ExecuteReply(reply.status(), reply.executionCount(), reply.millis(), reply.outputs(), true,
                            reply.evalMicros(), reply.cpuMicros())
                    : reply;
        } finally {
            lastUsed = Instant.now();
            // cleared when a cell ends, not when the next one starts: an interrupt that comes as soon as the next cell
            // holds the lock (before it is even sent) must not be forgotten
            interruptAskedAt = 0;
            running.unlock();
        }
    }

    private ExecuteReply exchange(String code, String label, boolean check, Consumer<Output> collect,
                                  List<Output> outputs, long started) {
        KernelProcess p = process;
        long request = nonce();
        cellsRun.incrementAndGet();
        BlockingQueue<Object> queue = p.subscribe(request);
        p.prioritize(runningWeight());
        try {
            p.send(new HostMessage.Execute(request, code, label == null ? "cell" : label, check));
            long limitNanos = settings.timeLimit().toNanos();
            long graceNanos = settings.grace().toNanos();
            long stopAskedAt = 0;                 // nanoTime when the kernel was asked to stop (time limit)
            long stopSentAt = 0;                  // nanoTime of the last Interrupt sent for this cell
            long received = 0;
            boolean demoted = false;              // the cell ran past LONG_CELL_NANOS and has a long cell's weight
            long hostCap = settings.outputCap() + HOST_OUTPUT_MARGIN;
            boolean truncated = false;
            while (true) {
                Object message = queue.poll(20, TimeUnit.MILLISECONDS);
                long now = System.nanoTime();
                if (!demoted && now - started > LONG_CELL_NANOS) {
                    demoted = true;                         // short cells first: a long one waits for the cores they leave
                    p.prioritize(Math.min(runningWeight(), Cgroup.WEIGHT_LONG));
                }
                switch (message) {
                    case KernelMessage.Emitted e -> {
                        received += e.output().weight();
                        if (received <= hostCap) collect.accept(e.output());
                        else if (!truncated) {
                            truncated = true;
                            collect.accept(new Output.Stream("stderr", "\n[output truncated]\n"));
                        }
                    }
                    case KernelMessage.Reply r when !p.sealed(r, code, check) -> {
                        // a cell's own line (only the runtime holds the key), or the answer to a request it swapped in
                        queue.offer(new KernelProcess.Malformed("a reply without the kernel's seal"));
                    }
                    case KernelMessage.Reply r -> {
                        long millis = (now - started) / 1_000_000;
                        if (stopAskedAt != 0) {
                            collect.accept(notice("Timeout", "Stopped after " + settings.timeLimit().toSeconds()
                                    + " s, the time limit for one cell. The kernel kept its variables."));
                            return new ExecuteReply(Status.TIMEOUT, r.executionCount(), millis, outputs, false, r.evalMicros(), r.cpuMicros());
                        }
                        if (r.status() == KernelMessage.Reply.Status.INTERRUPTED) {
                            collect.accept(notice("Interrupted", "Interrupted. The kernel kept its variables."));
                            return new ExecuteReply(Status.INTERRUPTED, r.executionCount(), millis, outputs, false, r.evalMicros(), r.cpuMicros());
                        }
                        Status status = r.status() == KernelMessage.Reply.Status.OK ? Status.OK : Status.ERROR;
                        return new ExecuteReply(status, r.executionCount(), millis, outputs, false, r.evalMicros(), r.cpuMicros());
                    }
                    case KernelProcess.Malformed m -> {
                        p.kill("broke its protocol: " + m.problem());
                        replaceProcessIfPossible();
                        collect.accept(stopped("The kernel broke its protocol with the server ("
                                + m.problem() + "), which only code in a cell can do, so it was stopped and a new "
                                + "one was started: variables from earlier cells are gone."));
                        return new ExecuteReply(Status.RESTARTED, 0, (now - started) / 1_000_000, outputs, true);
                    }
                    case KernelProcess.Exited x -> {
                        replaceProcess();
                        // Exit code 0 while a cell runs is the cell's own System.exit: the server is still here to see it.
                        String why = x.exitCode() == 0 ? "the cell ended the kernel's JVM, e.g. with System.exit: exit code 0"
                                : x.cause() != null ? x.cause() + ", exit code " + x.exitCode() : "exit code " + x.exitCode();
                        collect.accept(stopped("The kernel stopped while running this cell (" + why
                                + "), so a new one was started: variables from earlier cells are gone. Run the cells above again."));
                        return new ExecuteReply(Status.RESTARTED, 0, (now - started) / 1_000_000, outputs, true);
                    }
                    case null -> {
                        if (stopAskedAt == 0 && now - started > limitNanos) {
                            stopAskedAt = now;
                            stopSentAt = now;
                            p.send(new HostMessage.Interrupt());
                        }
                        long askedAt = stopAskedAt != 0 ? stopAskedAt : interruptAskedAt;
                        // A stop that reaches the kernel before its cell runs is lost (JShell clears its stop flag
                        // when a snippet starts, and a stop while it compiles does nothing): repeat it until the reply.
                        if (askedAt != 0 && now - stopSentAt > STOP_REPEAT_NANOS) {
                            stopSentAt = now;
                            p.send(new HostMessage.Interrupt());
                        }
                        if (askedAt != 0 && now - askedAt > graceNanos) {
                            p.kill("the cell did not stop when asked");
                            replaceProcess();
                            boolean timedOut = stopAskedAt != 0;
                            collect.accept(notice(timedOut ? "Timeout" : "Interrupted", (timedOut
                                    ? "Stopped after " + settings.timeLimit().toSeconds() + " s, the time limit for one cell. "
                                    : "Interrupted. ")
                                    + "The cell did not stop when asked, so its kernel was restarted: "
                                    + "variables from earlier cells are gone."));
                            return new ExecuteReply(timedOut ? Status.TIMEOUT : Status.INTERRUPTED, 0,
                                    (now - started) / 1_000_000, outputs, true);
                        }
                    }
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kernel " + id, e);
        } catch (RuntimeException e) {
            // Whatever a kernel sent that the server could not handle: never leave its cell running without a time limit.
            p.kill("its message could not be handled: " + e);
            replaceProcessIfPossible();
            collect.accept(stopped("The server could not handle what the kernel sent ("
                    + e.getClass().getSimpleName() + "), so the kernel was stopped and a new one was started: "
                    + "variables from earlier cells are gone."));
            return new ExecuteReply(Status.RESTARTED, 0, (System.nanoTime() - started) / 1_000_000, outputs, true);
        } finally {
            p.unsubscribe(request);
            p.prioritize(false);
        }
    }

    /**
     * Replaces the kernel JVM now if it has died (or the watchdog stopped it), so that the learner's next cell
     * does not wait for a new JVM while it holds one of the server's cell slots; that cell still says what
     * happened. Returns at once when the kernel is alive or a cell is running.
     */
    public void revive() {
        if (closed || process.alive() || !running.tryLock()) return;
        try {
            if (process.alive()) return;
            if (pendingNotice == null) {
                String why = process.deathCause();
                pendingNotice = "The kernel had stopped" + (why == null ? "" : " (" + why + ")")
                        + ", so a new one was started: variables from earlier cells are gone. Run them again if this cell needs them.";
            }
            replaceProcess();
        } finally {
            running.unlock();
        }
    }

    /**
     * Completion options for the cell at {@code cursor}; empty when the kernel is slow, when another completion of
     * this kernel is under way (one at a time), or when the cell is larger than a cell may be or the cursor is outside it.
     */
    public KernelMessage.Completions complete(String code, int cursor) {
        if (closed || code.length() > settings.maxCellChars() || cursor < 0 || cursor > code.length()) {
            return new KernelMessage.Completions(0, cursor, List.of());
        }
        if (!completing.tryAcquire()) return new KernelMessage.Completions(0, cursor, List.of());
        try {
            return completeNow(code, cursor);
        } finally {
            completing.release();
        }
    }

    private KernelMessage.Completions completeNow(String code, int cursor) {
        KernelProcess p = process;
        long request = nonce();
        BlockingQueue<Object> queue = p.subscribe(request);
        boolean idle = !busy();
        if (idle) p.prioritize(runningWeight());                 // while a cell runs, the kernel has the weight already
        try {
            p.send(new HostMessage.Complete(request, code, cursor));
            Object reply = queue.poll(3, TimeUnit.SECONDS);
            return reply instanceof KernelMessage.Completions c ? c : new KernelMessage.Completions(request, cursor, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new KernelMessage.Completions(request, cursor, List.of());
        } finally {
            p.unsubscribe(request);
            if (idle && !busy()) p.prioritize(false);
        }
    }

    /**
     * Asks the running cell to stop; if it has not stopped after the grace period, the kernel restarts.
     * Returns false when no cell was running (one on its way has not reached the kernel yet: ask again).
     */
    public boolean interrupt() {
        if (!busy()) return false;
        interruptAskedAt = System.nanoTime();
        process.send(new HostMessage.Interrupt());
        return true;
    }

    /** Replaces the kernel JVM with a fresh one: all variables are gone. Waits for a running cell to end. */
    public void restart() {
        interrupt();
        process.kill("restarted on request");   // a running cell sees the exit and reports it
        running.lock();
        try {
            if (!process.alive()) replaceProcess();
        } finally {
            running.unlock();
        }
    }

    /** Resident memory of the kernel JVM (and what it started), or -1. */
    public long residentBytes() {
        return process.residentBytes();
    }

    /**
     * Called every {@code seconds} by the pool's watchdog: a kernel that burns more than {@code limit} of a
     * core while no cell runs, or has a thread that wants a core all the time, at two checks in a row, has
     * code running in the background; it is killed, and the learner's next cell gets a new kernel and is told
     * why. The second test matters on a busy server: when many kernels spin, each gets less than
     * {@code limit} of a core, but a spinning thread is still runnable all the time.
     */
    void watchIdle(double limit, long seconds) {
        if (closed || !running.tryLock()) {
            lastCpu = null;
            lastRunnable = null;
            return;
        }
        try {
            long now = System.nanoTime();
            java.time.Duration cpu = process.cpuTime();
            java.util.Map<Long, KernelProcess.ThreadSample> runnable = process.threadSamples();
            long seen = cellsRun.get();
            // Cells ran since the last check: their CPU is not background work. Completions do not count: they are
            // small, and a stream of them must not keep a kernel's background work from being seen. Before the
            // first cell no learner's code has run: what runs is the kernel's own warm-up of the compute kernels.
            if (seen != requestsAtCheck || seen == 0) {
                requestsAtCheck = seen;
                lastCpu = cpu;
                lastRunnable = runnable;
                lastCheck = now;
                hotChecks = 0;
                return;
            }
            java.time.Duration previous = lastCpu;
            java.util.Map<Long, KernelProcess.ThreadSample> previousRunnable = lastRunnable;
            long window = now - lastCheck;
            lastCpu = cpu;
            lastRunnable = runnable;
            lastCheck = now;
            // Spinning: runnable nearly all the time, and really running for a share of it. An idle kernel has a low CPU
            // weight (Cgroup.WEIGHT_IDLE): on a busy server its threads can wait seconds for a core, so a thread that
            // wakes up for a moment (the output flusher, the VM thread, the native heap trimmer) is then runnable most
            // of the time too, but hardly runs. The kernel's own background threads are left out altogether: a fresh
            // kernel's JIT compiler may have work queued for a long time, and JShell indexes the class path after the
            // first completion. All threads' CPU time still counts in the first test.
            java.util.Set<Long> own = process.backgroundThreads();
            String spinner = previousRunnable == null ? null : runnable.entrySet().stream().filter(e -> {
                KernelProcess.ThreadSample before = previousRunnable.get(e.getKey());
                return before != null && !own.contains(e.getKey())
                        && e.getValue().runnableNanos() - before.runnableNanos() > SPINNING_SHARE * window
                        && e.getValue().runningNanos() - before.runningNanos() > SPINNING_MIN_RUNNING_SHARE * window;
            }).map(e -> "thread " + e.getKey() + " (" + e.getValue().name() + ") runnable "
                    + Math.round(100.0 * (e.getValue().runnableNanos() - previousRunnable.get(e.getKey()).runnableNanos()) / window)
                    + "% of the time, running " + Math.round(100.0 * (e.getValue().runningNanos() - previousRunnable.get(e.getKey()).runningNanos()) / window) + "%")
                    .findFirst().orElse(null);
            long cpuMillis = previous == null ? 0 : cpu.minus(previous).toMillis();
            boolean hot = previous != null && (cpuMillis > limit * seconds * 1000 || spinner != null);
            hotChecks = hot ? hotChecks + 1 : 0;
            if (hotChecks >= 2) {
                hotChecks = 0;
                lastCpu = null;
                lastRunnable = null;
                process.kill("stopped by the idle watchdog: " + cpuMillis + " ms of CPU in " + window / 1_000_000 + " ms"
                        + (spinner != null ? ", " + spinner : ""));   // the learner's next cell starts a new one
                pendingNotice = "The kernel was restarted because code kept running in the background after its cell "
                        + "had finished (a thread left busy?). Variables from earlier cells are gone.";
            }
        } finally {
            running.unlock();
        }
    }

    private static long nonce() {
        long id;
        do {
            id = NONCES.nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    private void replaceProcess() {
        try {
            process = pool.take(penalized());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a new kernel: " + e.getMessage(), e);
        }
    }

    /** As {@link #replaceProcess()}, but when no new JVM starts now, the learner's next cell tries again (it finds this one dead). */
    private void replaceProcessIfPossible() {
        try {
            replaceProcess();
        } catch (UncheckedIOException e) {
            java.util.logging.Logger.getLogger(Kernel.class.getName()).warning("kernel " + id + ": " + e.getMessage());
        }
    }

    /** A kernel JVM of this kernel that the server replaced, when and why, as its learner was told. */
    public record Stop(Instant at, String reason) {}

    /** How many {@link Stop}s a kernel remembers (the teacher's dashboard shows them). */
    static final int STOPS_KEPT = 5;

    private final java.util.Deque<Stop> stops = new java.util.ArrayDeque<>();

    /** The learner's notice that the kernel JVM was replaced; remembered among {@link #stops()}. */
    private Output.Error stopped(String message) {
        synchronized (stops) {
            if (stops.size() == STOPS_KEPT) stops.removeFirst();
            stops.addLast(new Stop(Instant.now(), message));
        }
        return notice("KernelRestarted", message);
    }

    /**
     * A cell running this long gets {@link Cgroup#WEIGHT_LONG}: a lesson's cells take well under it, and whatever runs
     * longer (a training loop, a memory spike, a busy loop) then waits for the cores short cells leave.
     */
    static final long LONG_CELL_NANOS = Duration.ofSeconds(2).toNanos();

    /**
     * How many processes run for this kernel below the one the server started: in a sandbox, bubblewrap's and the
     * kernel JVM (2); any more were started from a cell. (The kernel has no /proc to count them itself.)
     */
    public long processes() {
        return process.descendants();
    }

    /** The kernel JVM serving this kernel now. */
    KernelProcess process() {
        return process;
    }

    /** The CPU weight of this kernel while it runs a cell or a completion. */
    private int runningWeight() {
        return penalized() ? Cgroup.WEIGHT_PENALIZED : Cgroup.WEIGHT_BUSY;
    }

    /** How long a kernel is {@link #penalized} after one stop; it doubles with each further stop in {@link #PENALTY_WINDOW}. */
    static final Duration PENALTY = Duration.ofSeconds(30);
    static final Duration PENALTY_WINDOW = Duration.ofMinutes(5);

    /**
     * Whether the server replaced this kernel's JVM lately ({@link #stops()}): a flood, the memory cap, a broken
     * protocol, an exit, a cell that would not stop. Each replacement costs the server a JVM start (seconds of CPU on a
     * machine the class shares), so for 30 s after a stop (60 s after two within five minutes, and so on up to five
     * minutes) its cells run at {@link Cgroup#WEIGHT_PENALIZED} and its next JVM starts cold at a pool kernel's
     * weight instead of taking a warm one. Alone on the machine it runs as fast as ever; a restart the learner asks
     * for is no stop.
     */
    public boolean penalized() {
        Instant now = Instant.now();
        List<Stop> recent = stops().stream().filter(s -> s.at().isAfter(now.minus(PENALTY_WINDOW))).toList();
        if (recent.isEmpty()) return false;
        Duration penalty = PENALTY.multipliedBy(1L << Math.min(recent.size() - 1, 4));
        if (penalty.compareTo(PENALTY_WINDOW) > 0) penalty = PENALTY_WINDOW;
        return recent.getLast().at().plus(penalty).isAfter(now);
    }

    /** The last few times this kernel's JVM was replaced, oldest first, with what its learner was told. */
    public List<Stop> stops() {
        synchronized (stops) {
            return List.copyOf(stops);
        }
    }

    private static Output.Error notice(String kind, String message) {
        return new Output.Error(kind, message, 0, 0, List.of());
    }

    @Override
    public void close() {
        closed = true;
        pool.closed(this);
        process.kill("closed");
    }
}
