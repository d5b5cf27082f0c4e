package dev.glassbox.web.notebook;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/**
 * The server's running cells, at most {@code slots} at once; the others wait in one first-come,
 * first-served queue (a fair semaphore), so forty learners on two cores take turns and nobody is
 * overtaken. A cell's time limit starts when it leaves the queue: the kernel starts its clock when it is
 * handed the cell, which happens only once a slot is held.
 * <p>
 * A cell waits in three steps, and holds nothing of the next step while it waits: first for its kernel
 * (one running cell per kernel; a few more may wait behind it, the rest are refused), then for its
 * learner's share ({@code perLearner} running cells of one learner, all kernels together), and only
 * then for one of the server's slots. So a learner who sends many cells at once to one kernel, or to all
 * their kernels, holds at most {@code perLearner} slots, and the rest of the class keeps the others.
 * A cell that runs longer than {@code longCell} (2 s by default) gives its slot back and keeps the rest: a few students
 * whose cells sleep or loop never keep the class waiting (a class's load run with three of them had every
 * other cell wait 10 s for the one slot they left).
 */
public final class CellQueue {
    /** Cells that may wait behind a kernel's running cell; more are refused at once (each waiting request holds a connection). */
    public static final int MAX_WAITING_PER_KERNEL = 4;

    private final int slots;
    private final int perLearner;
    private final Duration maxWait;
    private final Duration longCell;
    private final Semaphore free;
    /** One fair permit per kernel, and {@code perLearner} per learner; an entry lives while someone holds or waits for it. */
    private final Map<String, Gate> kernels = new HashMap<>();
    private final Map<String, Gate> learners = new HashMap<>();
    /** Threads waiting (at any step), and the kernel each waits for (to cancel a queued cell on interrupt). */
    private final Map<Thread, String> waiting = new ConcurrentHashMap<>();

    /** A cell the queue turns away at once: its kernel already has as many cells waiting as it may. The message is for the learner. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** A semaphore shared by the cells of one kernel or one learner, with the number of cells holding or waiting for it. */
    private static final class Gate {
        final Semaphore permits;
        int users;

        Gate(int permits) {
            this.permits = new Semaphore(permits, true);
        }
    }

    public CellQueue(int slots, Duration maxWait) {
        this(slots, slots, maxWait);
    }

    public CellQueue(int slots, int perLearner, Duration maxWait) {
        this(slots, perLearner, maxWait, Duration.ofSeconds(2));
    }

    /** {@code longCell}: a cell running this long gives its slot back ({@link Slot#yieldSlot()}); a lesson's cells take milliseconds. */
    public CellQueue(int slots, int perLearner, Duration maxWait, Duration longCell) {
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        if (perLearner < 1) throw new IllegalArgumentException("perLearner must be at least 1, got " + perLearner);
        this.slots = slots;
        this.perLearner = Math.min(perLearner, slots);
        this.maxWait = maxWait;
        this.longCell = longCell;
        this.free = new Semaphore(slots, true);
    }

    /** A held slot (with its kernel's turn and its learner's share); closing it lets the next cells in. */
    public final class Slot implements AutoCloseable {
        private final String kernelId;
        private final String learnerId;
        private final Gate kernel;
        private final Gate learner;
        private final boolean waited;
        private boolean closed;
        private boolean yielded;

        private Slot(String kernelId, String learnerId, Gate kernel, Gate learner, boolean waited) {
            this.kernelId = kernelId;
            this.learnerId = learnerId;
            this.kernel = kernel;
            this.learner = learner;
            this.waited = waited;
        }

        /** True when the cell had to wait in the queue. */
        public boolean waited() {
            return waited;
        }

        /**
         * Gives the server's slot back while the cell goes on running, keeping its kernel's turn and its learner's share:
         * called once a cell has run for {@link #longCell()}. The slots are there so that short cells do not wait; a long
         * cell (a sleep, a training loop, an attack) is held to one core by its kernel's cgroup, and the CPU weights
         * share the cores with the short ones. So a few learners' long cells never keep the class waiting for a slot.
         */
        public synchronized void yieldSlot() {
            if (closed || yielded) return;
            yielded = true;
            free.release();
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            if (!yielded) free.release();
            learner.permits.release();
            kernel.permits.release();
            leave(learners, learnerId);
            leave(kernels, kernelId);
        }
    }

    /**
     * Waits for a slot for a cell of {@code kernelId}, which belongs to {@code learnerId}. When the cell has to
     * wait, {@code onWait} first hears how many cells are ahead of it (at the step where it first waits).
     *
     * @throws InterruptedException the cell was cancelled ({@link #cancel}) while it waited
     * @throws TimeoutException     no slot came free within the longest wait
     * @throws Refused              the kernel already has {@link #MAX_WAITING_PER_KERNEL} cells waiting
     */
    public Slot enter(String kernelId, String learnerId, IntConsumer onWait) throws InterruptedException, TimeoutException, Refused {
        Gate kernel;
        Gate learner;
        synchronized (this) {
            Gate existing = kernels.get(kernelId);
            if (existing != null && existing.users > MAX_WAITING_PER_KERNEL) {
                throw new Refused("This kernel is running a cell and " + (existing.users - 1) + " more are waiting for it: "
                        + "wait for them to finish, or interrupt them, before running another.");
            }
            kernel = join(kernels, kernelId, 1);
            learner = join(learners, learnerId, perLearner);
        }
        Thread me = Thread.currentThread();
        waiting.put(me, kernelId);
        long deadline = System.nanoTime() + maxWait.toNanos();
        int held = 0;                                         // steps passed: 1 the kernel's turn, 2 the learner's share, 3 a slot
        boolean waited = false;
        try {
            // 1. The kernel's turn: one running cell per kernel. Waiting for it holds nothing else.
            if (!kernel.permits.tryAcquire()) {
                waited = true;
                onWait.accept(kernel.permits.getQueueLength() + 1);
                acquire(kernel.permits, deadline);
            }
            held = 1;
            // 2. The learner's share of the slots, all their kernels together.
            if (!learner.permits.tryAcquire()) {
                if (!waited) onWait.accept(learner.permits.getQueueLength() + 1);
                waited = true;
                acquire(learner.permits, deadline);
            }
            held = 2;
            // 3. One of the server's slots, first come first served.
            boolean barged = free.tryAcquire();
            if (barged && free.hasQueuedThreads()) {
                free.release();                               // a barging tryAcquire would overtake the queue: join it instead
                barged = false;
            }
            if (!barged) {
                if (!waited) onWait.accept(free.getQueueLength() + 1);
                waited = true;
                acquire(free, deadline);
            }
            held = 3;
            synchronized (this) {
                if (waiting.remove(me) == null) {             // cancelled just as the slot came free
                    Thread.interrupted();
                    throw new InterruptedException("cancelled while waiting for a slot");
                }
            }
            Slot slot = new Slot(kernelId, learnerId, kernel, learner, waited);
            held = -1;                                        // the slot owns the permits now
            return slot;
        } finally {
            waiting.remove(me);
            if (held >= 3) free.release();
            if (held >= 2) learner.permits.release();
            if (held >= 1) kernel.permits.release();
            if (held != -1) {
                leave(learners, learnerId);
                leave(kernels, kernelId);
            }
        }
    }

    /** Takes a permit of {@code permits} before {@code deadline} (System.nanoTime()), keeping its place in the fair queue. */
    private void acquire(Semaphore permits, long deadline) throws InterruptedException, TimeoutException {
        long left = deadline - System.nanoTime();
        if (!permits.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("no slot came free within " + maxWait.toSeconds() + " s");
        }
    }

    private static Gate join(Map<String, Gate> gates, String key, int permits) {
        Gate gate = gates.computeIfAbsent(key, k -> new Gate(permits));
        gate.users++;
        return gate;
    }

    private synchronized void leave(Map<String, Gate> gates, String key) {
        Gate gate = gates.get(key);
        if (gate != null && --gate.users == 0) gates.remove(key);
    }

    /** Cancels the waiting cells of a kernel (the learner interrupted, or the kernel restarts); running cells are not affected. */
    public synchronized int cancel(String kernelId) {
        int cancelled = 0;
        for (var entry : waiting.entrySet()) {
            if (entry.getValue().equals(kernelId) && waiting.remove(entry.getKey(), kernelId)) {
                entry.getKey().interrupt();
                cancelled++;
            }
        }
        return cancelled;
    }

    public int slots() {
        return slots;
    }

    /** Running cells one learner may have at once, all their kernels together. */
    public int perLearner() {
        return perLearner;
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** How long a cell runs before it gives its slot back. */
    public Duration longCell() {
        return longCell;
    }

    /** Cells holding a slot now. */
    public int running() {
        return slots - free.availablePermits();
    }

    /** Cells waiting now: for their kernel, their learner's share or a slot. */
    public int queued() {
        return waiting.size();
    }
}
