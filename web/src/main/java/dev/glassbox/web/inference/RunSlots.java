package dev.glassbox.web.inference;

import io.javalin.http.Context;
import io.javalin.http.ServiceUnavailableResponse;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many forward passes run at once, all learners together. A forward pass is pure CPU work, so more
 * runs than cores only make every run slower; a request that finds every slot taken waits its turn in a
 * fair queue for at most {@code maxWait}, then is answered 503 with a Retry-After.
 */
public final class RunSlots {
    private final Semaphore free;
    private final int slots;
    private final Duration maxWait;

    public RunSlots(int slots, Duration maxWait) {
        if (slots < 1) throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        this.slots = slots;
        this.free = new Semaphore(slots, true);
        this.maxWait = maxWait;
    }

    /** One slot per core, waiting at most 20 s. */
    public static RunSlots perCore() {
        return new RunSlots(Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(20));
    }

    /** A held slot; closing it lets the next run in. */
    public final class Slot implements AutoCloseable {
        private boolean closed;

        private Slot() {}

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            free.release();
        }
    }

    /** Waits for a slot; a {@link ServiceUnavailableResponse} (503, with Retry-After) when none comes free in time. */
    public Slot enter(Context ctx) {
        Slot slot = tryEnter();
        if (slot != null) return slot;
        ctx.header("Retry-After", "5");
        throw new ServiceUnavailableResponse("The server is busy running models (" + slots + " at a time) and this request waited "
                + maxWait.toSeconds() + " s for its turn. Try again in a moment.");
    }

    /** Waits at most {@code maxWait} for a slot; null when none came free (or the thread was interrupted). */
    Slot tryEnter() {
        try {
            if (free.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) return new Slot();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    public int slots() {
        return slots;
    }
}
