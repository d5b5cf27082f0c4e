package dev.glassbox.web.kernels;

import java.time.Duration;
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
 */
public final class CellQueue {
    private final int slots;
    private final Duration maxWait;
    private final Semaphore free;
    /** Threads waiting for a slot, and the kernel each waits for (to cancel a queued cell on interrupt). */
    private final Map<Thread, String> waiting = new ConcurrentHashMap<>();

    public CellQueue(int slots, Duration maxWait) {
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        this.slots = slots;
        this.maxWait = maxWait;
        this.free = new Semaphore(slots, true);
    }

    /** A held slot; closing it lets the next cell in. */
    public final class Slot implements AutoCloseable {
        private final boolean waited;
        private boolean closed;

        private Slot(boolean waited) {
            this.waited = waited;
        }

        /** True when the cell had to wait in the queue. */
        public boolean waited() {
            return waited;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            free.release();
        }
    }

    /**
     * Waits for a slot for a cell of {@code kernelId}. When the cell has to wait, {@code onWait} first
     * hears how many cells are ahead of it.
     *
     * @throws InterruptedException the cell was cancelled ({@link #cancel}) while it waited
     * @throws TimeoutException     no slot came free within the longest wait
     */
    public Slot enter(String kernelId, IntConsumer onWait) throws InterruptedException, TimeoutException {
        if (free.tryAcquire()) {
            if (!free.hasQueuedThreads()) return new Slot(false);
            free.release();                      // a barging tryAcquire would overtake the queue: join it instead
        }
        Thread me = Thread.currentThread();
        waiting.put(me, kernelId);
        onWait.accept(free.getQueueLength() + 1);
        boolean acquired;
        try {
            acquired = free.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS);   // the timed form keeps its place in the fair queue
        } catch (InterruptedException e) {
            waiting.remove(me);
            throw e;
        }
        synchronized (this) {
            if (waiting.remove(me) == null) {    // cancelled just as the slot came free
                Thread.interrupted();
                if (acquired) free.release();
                throw new InterruptedException("cancelled while waiting for a slot");
            }
        }
        if (!acquired) throw new TimeoutException("no slot came free within " + maxWait.toSeconds() + " s");
        return new Slot(true);
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

    public Duration maxWait() {
        return maxWait;
    }

    /** Cells holding a slot now. */
    public int running() {
        return slots - free.availablePermits();
    }

    /** Cells waiting for a slot now. */
    public int queued() {
        return free.getQueueLength();
    }
}
