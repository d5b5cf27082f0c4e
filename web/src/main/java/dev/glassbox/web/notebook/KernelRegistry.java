package dev.glassbox.web.notebook;

import dev.glassbox.notebook.host.Kernel;
import dev.glassbox.notebook.host.KernelPool;
import dev.glassbox.notebook.host.MemoryBudget;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernels of all learners. A kernel belongs to the learner who opened it: asking for it from
 * another session finds nothing. A learner keeps at most a few kernels (the least recently used idle
 * one is closed to make room), the server at most {@code maxKernels} in all, and kernels idle for long
 * are closed; saved cells are not affected. A new kernel also needs room in the memory budget of all kernels
 * ({@link KernelPool#memoryBudget()}): idle kernels are closed to make it, the least recently used first, and when
 * every kernel is running a cell the new one is refused ({@link OverBudget}).
 */
public final class KernelRegistry implements AutoCloseable {
    /** What the teacher's dashboard shows of one kernel. */
    /**
     * {@code stops}: the last times the server replaced the kernel's JVM, and why (a flood, the memory cap, a broken
     * protocol...); {@code penalized}: its cells run behind everyone else's for a while because of them.
     */
    public record KernelInfo(String id, String learnerId, boolean busy, Instant lastUsed, int restarts, long pid,
                             List<dev.glassbox.notebook.host.Kernel.Stop> stops, boolean penalized) {}

    /** No kernel could be opened: the learner or the server is at its cap. The message says which, for the learner. */
    public static final class Full extends RuntimeException {
        Full(String message) {
            super(message);
        }
    }

    /**
     * No kernel could be opened: all kernels together use so much memory that the budget ({@link MemoryBudget}) does not
     * hold one more, even after closing every idle one. The message is for the learner.
     */
    public static final class OverBudget extends RuntimeException {
        OverBudget(String message) {
            super(message);
        }
    }

    private record Entry(Kernel kernel, String learnerId, AtomicInteger restarts) {}

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(KernelRegistry.class.getName());
    /** Kernels closed to make room in the memory budget, by id, so that their learner hears why (the most recent only). */
    private final Map<String, Instant> evicted = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > 1000;
        }
    });

    private final KernelPool pool;
    private final int maxPerLearner;
    private final int maxKernels;
    private final Duration idleTimeout;
    private final Semaphore capacity;           // one permit per open kernel
    private final Map<String, Entry> kernels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService culler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kernel-culler").unstarted(r));

    public KernelRegistry(KernelPool pool, int maxPerLearner, int maxKernels, Duration idleTimeout) {
        this.pool = pool;
        this.maxPerLearner = maxPerLearner;
        this.maxKernels = maxKernels;
        this.idleTimeout = idleTimeout;
        this.capacity = new Semaphore(maxKernels);
        culler.scheduleWithFixedDelay(this::cullIdle, 1, 1, TimeUnit.MINUTES);
    }

    public KernelPool pool() {
        return pool;
    }

    /**
     * Opens a kernel for the learner, closing their least recently used idle kernel if they have too many.
     *
     * @throws Full when all the learner's kernels are busy, or the server runs as many kernels as it may
     */
    public Kernel open(String learnerId) throws IOException {
        synchronized (this) {
            List<Entry> own = kernels.values().stream().filter(e -> e.learnerId().equals(learnerId)).toList();
            if (own.size() >= maxPerLearner) {
                Entry oldest = own.stream().filter(e -> !e.kernel().busy()).min(Comparator.comparing(e -> e.kernel().lastUsed()))
                        .orElseThrow(() -> new Full("You already have " + own.size() + " kernels running cells (one per open lesson tab). "
                                + "Close a tab, or wait for a cell to finish."));
                close(oldest.kernel().id(), learnerId);
            }
            if (!capacity.tryAcquire()) {
                throw new Full("Glassbox is running as many kernels as it may (" + maxKernels + "). "
                        + "Try again in a minute, when someone closes a lesson, or ask your teacher.");
            }
            MemoryBudget budget = makeRoom();
            if (!budget.roomForAnotherKernel()) {
                capacity.release();
                throw new OverBudget("The class's kernels use all the memory the server gives them (" + budget.usage()
                        + ", and a new kernel may need " + (budget.kernelBytes() >> 20) + " MB): try again in a minute, "
                        + "when a cell has finished or someone has closed a lesson, or ask your teacher.");
            }
        }
        try {
            Kernel kernel = pool.open();
            kernels.put(kernel.id(), new Entry(kernel, learnerId, new AtomicInteger()));
            return kernel;
        } catch (IOException | RuntimeException e) {
            capacity.release();
            throw e;
        }
    }

    /**
     * The memory budget after making room in it for one more kernel, as far as that is possible without stopping anyone's
     * cell: first the pool's warm kernels go, then idle kernels, the least recently used first (their learners' saved
     * cells stay; their variables are lost, and their next cell says so).
     */
    private MemoryBudget makeRoom() {
        MemoryBudget budget = pool.memoryBudget();
        if (budget.roomForAnotherKernel()) return budget;
        if (pool.shedWarm() > 0) {
            budget = pool.memoryBudget();
            if (budget.roomForAnotherKernel()) return budget;
        }
        List<Entry> idle = kernels.values().stream().filter(e -> !e.kernel().busy())
                .sorted(Comparator.comparing(e -> e.kernel().lastUsed())).toList();
        for (Entry e : idle) {
            if (e.kernel().busy()) continue;                  // it started a cell since
            LOG.info("closing idle kernel " + e.kernel().id() + " to make room in the kernels' memory budget (" + budget.usage() + ")");
            if (close(e.kernel().id(), e.learnerId())) evicted.put(e.kernel().id(), Instant.now());
            budget = pool.memoryBudget();
            if (budget.roomForAnotherKernel()) return budget;
        }
        return budget;
    }

    /** True when the kernel with this id was closed to make room in the memory budget. */
    public boolean evicted(String id) {
        return id != null && evicted.containsKey(id);
    }

    /** The kernel with this id, only if it belongs to this learner. */
    public Optional<Kernel> find(String id, String learnerId) {
        Entry entry = id == null ? null : kernels.get(id);
        return entry != null && entry.learnerId().equals(learnerId) ? Optional.of(entry.kernel()) : Optional.empty();
    }

    /** The learner's kernels, for the dashboard and the teacher's restart. */
    public List<KernelInfo> of(String learnerId) {
        return kernels.values().stream().filter(e -> e.learnerId().equals(learnerId)).map(KernelRegistry::info).toList();
    }

    /** Every open kernel. */
    public List<KernelInfo> all() {
        return kernels.values().stream().map(KernelRegistry::info).toList();
    }

    /** Counts a restart of the kernel (asked for, or forced by a runaway cell). */
    public void countRestart(String id) {
        Entry entry = kernels.get(id);
        if (entry != null) entry.restarts().incrementAndGet();
    }

    public boolean close(String id, String learnerId) {
        Entry entry = kernels.get(id);
        if (entry == null || !entry.learnerId().equals(learnerId)) return false;
        if (kernels.remove(id, entry)) {
            capacity.release();
            entry.kernel().close();
        }
        return true;
    }

    public int size() {
        return kernels.size();
    }

    public int maxKernels() {
        return maxKernels;
    }

    public long busyCount() {
        return kernels.values().stream().filter(e -> e.kernel().busy()).count();
    }

    private static KernelInfo info(Entry e) {
        Kernel k = e.kernel();
        long pid;
        try {
            pid = k.pid();
        } catch (RuntimeException ex) {
            pid = -1;                            // between two kernel JVMs
        }
        return new KernelInfo(k.id(), e.learnerId(), k.busy(), k.lastUsed(), e.restarts().get(), pid, k.stops(), k.penalized());
    }

    private void cullIdle() {
        Instant cutoff = Instant.now().minus(idleTimeout);
        kernels.values().stream()
                .filter(e -> !e.kernel().busy() && e.kernel().lastUsed().isBefore(cutoff))
                .forEach(e -> close(e.kernel().id(), e.learnerId()));
    }

    @Override
    public void close() {
        culler.shutdownNow();
        kernels.values().forEach(e -> e.kernel().close());
        kernels.clear();
    }
}
