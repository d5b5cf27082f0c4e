package dev.glassbox.explorer.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The shared crew the kernels split large jobs over: {@link #threads()} threads in all, the calling thread
 * being one of them, so the crew itself holds {@code threads() - 1} daemon threads, started once (and again
 * only when {@link #setThreads} changes the count), never per call.
 *
 * <p>A job is cut into parts that every thread claims one at a time from a shared counter, the caller too, so
 * a worker that starts late simply claims fewer parts; the caller waits only for parts already being done.
 * Why not hand each thread a fixed share (as an executor's futures did): on this 2-core machine, shared with
 * other builds, a parked worker often wakes on the caller's own core, or waits a time slice for one, and a
 * fixed share then made the caller wait for the whole of it: a 128 x 384 x 1536 matmul took 0.80 ms on
 * two threads and 0.78 ms on one (MiniLmProfile and BENCHMARKS.md). After a job a worker spins for
 * {@link #SPIN_NANOS} before it parks, so the next kernel of a forward pass, a few microseconds later,
 * finds it awake. Which thread does a part never changes the result: parts write disjoint outputs and
 * every output is computed by the same operations whichever thread computes it.
 */
final class Workers {
    /** How long an idle worker keeps looking for the next job before it parks: longer than the gap between two kernels. */
    static final long SPIN_NANOS = 100_000;

    /**
     * One split job: parts [0, parts), the caller taking them from the front and the workers from the back (so the
     * caller's parts and a worker's are neighbours in one place only, and adjacent outputs, such as the column panels
     * of one row, are rarely written by two cores at once); {@code claimed} makes sure no part is taken twice.
     */
    private static final class Job {
        final int parts;
        final IntConsumer part;
        final AtomicInteger claimed = new AtomicInteger(), front = new AtomicInteger(), back = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(int parts, IntConsumer part) {
            this.parts = parts;
            this.part = part;
        }

        /** Claims and runs parts until none is left: from the front for the caller, from the back for a worker. */
        void work(boolean caller) {
            while (claimed.getAndIncrement() < parts) {
                int p = caller ? front.getAndIncrement() : parts - 1 - back.getAndIncrement();
                try {
                    if (failure == null) part.accept(p);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** The worker threads of one thread count; replaced (and stopped) when the count changes. */
    private static final class Crew {
        final Thread[] threads;
        final AtomicReference<Job> job = new AtomicReference<>();   // the latest job; workers help with it until its parts run out
        volatile boolean stopped;
        final AtomicInteger parked = new AtomicInteger();

        Crew(int size) {
            threads = new Thread[size];
            for (int i = 0; i < size; i++) {
                Thread t = new Thread(this::loop, "glassbox-kernel-worker");
                t.setDaemon(true);
                threads[i] = t;
            }
            for (Thread t : threads) t.start();
        }

        private void loop() {
            INSIDE.set(true);
            Job last = null;
            while (!stopped) {
                Job j = job.get();
                if (j != last) {
                    last = j;
                    if (j != null) j.work(false);
                    continue;
                }
                long deadline = System.nanoTime() + SPIN_NANOS;
                while ((j = job.get()) == last && !stopped && System.nanoTime() < deadline) Thread.onSpinWait();
                if (j != last || stopped) continue;
                parked.incrementAndGet();               // announced before the last look, so publish() cannot miss us
                if (job.get() == last && !stopped) LockSupport.park(this);
                parked.decrementAndGet();
            }
        }

        void publish(Job j) {
            job.set(j);
            if (parked.get() > 0) for (Thread t : threads) LockSupport.unpark(t);
        }

        /** Forgets a finished job (unless a newer one replaced it), so its buffers are not kept alive. */
        void retire(Job j) {
            job.compareAndSet(j, null);
        }

        void stop() {
            stopped = true;
            for (Thread t : threads) LockSupport.unpark(t);
        }
    }

    private static volatile int threads = initialThreads();
    private static volatile Crew crew;                          // created on first use, with threads - 1 workers
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    private Workers() {}

    private static int initialThreads() {
        String value = System.getProperty("glassbox.threads");
        if (value == null || value.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            return check(Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property glassbox.threads must be a whole number >= 1, found \"" + value + "\"");
        }
    }

    private static int check(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, found " + n);
        return n;
    }

    static int threads() {
        return threads;
    }

    static synchronized void setThreads(int n) {
        check(n);
        threads = n;
        Crew old = crew;
        if (n == 1 || old == null || old.threads.length == n - 1) return;   // one thread keeps the idle crew for later
        crew = null;
        old.stop();                                             // its threads end after the part they are doing
    }

    /** Runs {@code work} with every split job inside it done on the calling thread, as on a worker. */
    static void alone(Runnable work) {
        boolean before = INSIDE.get();
        INSIDE.set(true);
        try {
            work.run();
        } finally {
            INSIDE.set(before);
        }
    }

    /**
     * Runs {@code part.accept(p)} once for each p in [0, parts), on the calling thread and the crew, and returns when
     * all are done. Inline when only one part is asked for, when {@link #threads()} is 1, or when called from a worker
     * (a kernel inside a kernel must not wait for the threads it is running on). Parts may run in any order.
     */
    static void run(int parts, IntConsumer part) {
        if (parts <= 1 || threads == 1 || INSIDE.get()) {
            for (int p = 0; p < parts; p++) part.accept(p);
            return;
        }
        Job job = new Job(parts, part);
        Crew c = crew();
        c.publish(job);
        job.work(true);
        for (int spins = 0; job.done.get() < parts; spins++) {   // only parts a worker has claimed are left
            if (spins < 1 << 12) Thread.onSpinWait();
            else Thread.yield();                                // the worker may be waiting for this very core
        }
        c.retire(job);
        Throwable failure = job.failure;
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /**
     * Splits [0, count) into ranges of whole multiples of {@code grain} (except the last) and runs {@code range} on
     * each, over the crew when {@code count * workPerItem} is at least {@code minWork}; about four ranges per thread,
     * so a thread that starts late still finds work.
     */
    static void split(int count, int grain, long workPerItem, long minWork, Range range) {
        int threads = Workers.threads;
        if (threads == 1 || count <= grain || (long) count * workPerItem < minWork || INSIDE.get()) {
            range.run(0, count);
            return;
        }
        int grains = (count + grain - 1) / grain;
        int parts = Math.min(grains, 4 * threads);
        int chunk = (grains + parts - 1) / parts * grain;
        int used = (count + chunk - 1) / chunk;
        run(used, p -> range.run(p * chunk, Math.min(count, (p + 1) * chunk)));
    }

    /** A job over the items [from, to). */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    private static Crew crew() {
        Crew c = crew;
        if (c != null) return c;
        synchronized (Workers.class) {
            if (crew == null) crew = new Crew(Math.max(1, threads - 1));
            return crew;
        }
    }
}
