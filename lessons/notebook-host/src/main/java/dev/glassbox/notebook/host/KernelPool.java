package dev.glassbox.notebook.host;

import dev.glassbox.notebook.protocol.HostMessage;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a few kernel JVMs started and warm, so that opening a kernel (or restarting one) takes a ready
 * JVM instead of waiting one to two seconds for a new one. Kernels are started one at a time in the
 * background, to leave the cores to the learners. Before a class arrives, the teacher can ask for more
 * ({@link #expect}): the pool then keeps a kernel ready for each student expected, for a while.
 */
public final class KernelPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KernelPool.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A kernel that burns more than this share of a core while no cell runs, twice in a row, is stopped. */
    private static final double IDLE_CPU_LIMIT = 0.5;
    private static final long WATCH_SECONDS = 5;

    private final KernelSettings settings;
    private final Sandbox sandbox;
    private final java.util.Set<Kernel> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final BlockingQueue<KernelProcess> warm = new LinkedBlockingQueue<>();
    private final AtomicInteger starting = new AtomicInteger();
    private final AtomicInteger expected = new AtomicInteger();   // learners announced by {@link #expect} still to take a kernel
    private volatile long expectedUntil;                          // System.nanoTime() when that announcement lapses
    private volatile boolean announced;                           // an announcement has not lapsed yet
    private final java.util.concurrent.ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kernel-watchdog").unstarted(r));
    private final ExecutorService starter = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("kernel-starter").unstarted(r));
    private final KernelCache cache;
    private final MemoryBudget budget;             // its limit and where it comes from; usage is read when asked
    private final Cgroup group;                    // holds every kernel's cgroup and carries the budget; null without cgroups
    private volatile boolean closed;

    public KernelPool(KernelSettings settings, Sandbox sandbox) {
        this.settings = settings;
        this.sandbox = sandbox;
        this.cache = new KernelCache(settings, sandbox);
        this.budget = MemoryBudget.chosen(settings, sandbox.perKernel().memoryBytes());
        Cgroup pool = null;
        if (sandbox.available() && sandbox.cgroups() != Cgroup.Kind.NONE) {
            try {
                pool = Cgroup.pool(budget.limitBytes());
            } catch (IOException e) {
                LOG.warning("could not create the kernels' cgroup with their memory budget (" + e.getMessage()
                        + "): the budget only decides whether a new kernel may start");
            }
        }
        this.group = pool;
        LOG.info("kernel memory budget: " + MemoryBudget.gigabytes(budget.limitBytes()) + " for all kernels together ("
                + budget.source() + "; " + (group != null ? "a cgroup holds them to it" : "no cgroup: admission only") + ")");
        starter.execute(cache::prepare);                 // first: the pool's kernels start faster with it
        refill();
        watchdog.scheduleWithFixedDelay(this::watchIdleKernels, WATCH_SECONDS, WATCH_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        watchdog.scheduleWithFixedDelay(this::lapse, WATCH_SECONDS, WATCH_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * A class is about to arrive: keeps {@code learners} kernels ready (or the pool's usual size, if larger) until
     * they are taken or {@code window} has passed, as far as the memory budget holds them. Each kernel opened
     * counts against it (a restart does not); a later call replaces an earlier one. After the window the kernels beyond the usual size
     * are stopped, so that a class that did not come holds no memory.
     */
    public void expect(int learners, java.time.Duration window) {
        if (learners < 0) throw new IllegalArgumentException("learners must be >= 0, got " + learners);
        expectedUntil = System.nanoTime() + window.toNanos();
        expected.set(learners);
        announced = true;
        LOG.info("getting " + learners + " kernels ready for a class (for " + window.toMinutes() + " minutes)");
        refill();
    }

    /** How far the pool is in getting kernels ready: those waiting, those starting, and how many it is aiming for. */
    public record Readiness(int warm, int starting, int target) {
    }

    public Readiness readiness() {
        return new Readiness(warm.size(), starting.get(), target());
    }

    /** Kernels the pool keeps warm now: its usual size, or a class's announced learners while they are expected. */
    private int target() {
        return Math.max(settings.poolSize(), announced && System.nanoTime() - expectedUntil < 0 ? expected.get() : 0);
    }

    /** After an announcement lapses, stops the warm kernels beyond the usual size (the newest stay: the oldest have waited longest). */
    private void lapse() {
        if (!announced || System.nanoTime() - expectedUntil < 0) return;
        announced = false;
        expected.set(0);
        int stopped = 0;
        while (warm.size() > settings.poolSize()) {
            KernelProcess p = warm.poll();
            if (p == null) break;
            p.kill("the class it was started for did not come in time");
            stopped++;
        }
        if (stopped > 0) LOG.info("stopped " + stopped + " kernels started for a class that did not take them");
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public KernelSettings settings() {
        return settings;
    }

    /**
     * The memory budget of all kernels together and what they use now (warm kernels included): their group's working set
     * with cgroups, else the resident memory of their processes.
     */
    public MemoryBudget memoryBudget() {
        if (group != null) return budget.with(group.workingSetBytes(), true);
        List<Long> pids = new ArrayList<>();
        for (Kernel kernel : open) {
            try {
                pids.add(kernel.pid());
            } catch (RuntimeException e) {
                // between two kernel JVMs
            }
        }
        for (KernelProcess p : warm) pids.add(p.pid());
        long used = ProcessMemory.ofTrees(pids).values().stream().mapToLong(Long::longValue).sum();
        return budget.with(used, false);
    }

    /** Stops the warm kernels, to give their memory to the learners' kernels; returns how many there were. */
    public int shedWarm() {
        int shed = 0;
        for (KernelProcess p; (p = warm.poll()) != null; shed++) p.kill("shed to make room in the memory budget");
        return shed;
    }

    /** Opens a kernel with a fresh unguessable id (128 random bits). */
    public Kernel open() throws IOException {
        expected.getAndUpdate(n -> Math.max(0, n - 1));    // one of a class's learners has come (a restart is not one)
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        Kernel kernel = new Kernel(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), this, take());
        open.add(kernel);
        return kernel;
    }

    void closed(Kernel kernel) {
        open.remove(kernel);
    }

    /** Stops kernels whose background threads keep a core busy while no cell runs. */
    private void watchIdleKernels() {
        for (Kernel kernel : open) {
            try {
                kernel.watchIdle(IDLE_CPU_LIMIT, WATCH_SECONDS);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "watching kernel " + kernel.id(), e);
            }
        }
    }

    /** A warm kernel JVM if one is ready, else a newly started one. */
    KernelProcess take() throws IOException {
        return take(false);
    }

    /**
     * As {@link #take()}; for a {@code penalized} kernel ({@link Kernel#penalized}) always a new JVM, started at a
     * pool kernel's low weight: the warm ones are for learners who did not just make the server replace one.
     */
    KernelProcess take(boolean penalized) throws IOException {
        if (closed) throw new IOException("the kernel pool is shut down");
        if (penalized) return handOut(KernelProcess.start(settings, sandbox, false, cache.file(), group));
        try {
            for (KernelProcess p; (p = warm.poll()) != null; ) {
                if (p.alive()) return handOut(p);
            }
            return handOut(KernelProcess.start(settings, sandbox, true, cache.file(), group));    // a learner waits for this one
        } finally {
            refill();
        }
    }

    /**
     * A kernel becomes a learner's: from a pool kernel's CPU weight to an idle learner's, and its pool warm-up
     * stops now rather than at the first cell (a class opening its kernels would otherwise pay for every one).
     */
    private static KernelProcess handOut(KernelProcess p) {
        p.prioritize(false);
        p.send(new HostMessage.Claim());
        return p;
    }

    /** Number of warm kernels waiting. */
    public int warmCount() {
        return warm.size();
    }

    /** The warm kernels waiting, oldest first (tests watch them). */
    java.util.List<KernelProcess> waiting() {
        return java.util.List.copyOf(warm);
    }

    /** Number of kernel JVMs being started for the pool now. */
    public int startingCount() {
        return starting.get();
    }

    /** Starts kernels in the background until the pool is full again, while the memory budget holds one more kernel. */
    private void refill() {
        while (!closed && warm.size() + starting.get() < target()) {
            starting.incrementAndGet();
            starter.execute(() -> {
                try {
                    // a class's announcement may have lapsed while this start waited its turn, or while it ran
                    if (!closed && warm.size() < target() && memoryBudget().roomForAnotherKernel()) {
                        KernelProcess p = KernelProcess.start(settings, sandbox, false, cache.file(), group);
                        if (warm.size() < target()) warm.add(p);
                        else p.kill("started for a class that no longer needs it");
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed) LOG.log(Level.WARNING, "could not pre-start a kernel", e);
                } finally {
                    starting.decrementAndGet();
                }
                if (closed) warm.forEach(KernelProcess::kill);
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.shutdownNow();
        starter.shutdownNow();
        for (KernelProcess p; (p = warm.poll()) != null; ) p.kill();
        if (group != null && open.isEmpty()) group.delete();   // else its kernels still close; the next server removes it
    }

    /** The AOT cache kernels start with from now on, or null while it is being made (or when there is none). */
    public java.nio.file.Path aotCache() {
        return cache.file();
    }
}
