package dev.glassbox.explorer.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * The shared pool the kernels split large jobs over: {@link #threads()} workers in all, the calling
 * thread being one of them, so the pool itself holds {@code threads() - 1} daemon threads. They are
 * started once (and again only when {@link #setThreads} changes the count), never per call.
 */
final class Workers {
    private static volatile int threads = initialThreads();
    private static volatile ExecutorService pool;               // created on first use, with poolSize threads
    private static int poolSize;
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
        if (n == 1 || n - 1 == poolSize) return;                // one thread keeps the idle pool for later
        ExecutorService old = pool;
        pool = null;
        if (old != null) old.shutdown();                        // its idle daemon threads end; running jobs finish
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
     * Runs {@code part.accept(p)} for p in [0, parts): part 0 on the calling thread, the others on the pool,
     * and returns when all are done. Inline when only one part is asked for, or when called from a worker
     * (a kernel inside a kernel must not wait for the threads it is running on).
     */
    static void run(int parts, IntConsumer part) {
        if (parts <= 1 || INSIDE.get()) {
            for (int p = 0; p < parts; p++) part.accept(p);
            return;
        }
        ExecutorService executor = pool();
        List<Future<?>> others = new ArrayList<>(parts - 1);
        int refused = parts;
        for (int p = 1; p < parts; p++) {
            int index = p;
            try {
                others.add(executor.submit(() -> part.accept(index)));
            } catch (RejectedExecutionException e) {            // setThreads shut this pool down meanwhile: run the rest here
                refused = p;
                break;
            }
        }
        part.accept(0);
        for (int p = refused; p < parts; p++) part.accept(p);
        try {
            for (Future<?> f : others) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kernel workers", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p != null) return p;
        synchronized (Workers.class) {
            if (pool == null) {
                poolSize = Math.max(1, threads - 1);
                pool = Executors.newFixedThreadPool(poolSize, task -> {
                    Thread t = new Thread(() -> {
                        INSIDE.set(true);
                        task.run();
                    }, "glassbox-kernel-worker");
                    t.setDaemon(true);
                    return t;
                });
            }
            return pool;
        }
    }
}
