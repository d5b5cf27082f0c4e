package dev.glassbox.web.kernels;

import dev.glassbox.kernel.Kernel;
import dev.glassbox.kernel.KernelPool;

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
 * are closed; saved cells are not affected.
 */
public final class KernelRegistry implements AutoCloseable {
    /** What the teacher's dashboard shows of one kernel. */
    public record KernelInfo(String id, String learnerId, boolean busy, Instant lastUsed, int restarts, long pid) {}

    /** No kernel could be opened: the learner or the server is at its cap. The message says which, for the learner. */
    public static final class Full extends RuntimeException {
        Full(String message) {
            super(message);
        }
    }

    private record Entry(Kernel kernel, String learnerId, AtomicInteger restarts) {}

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
        return new KernelInfo(k.id(), e.learnerId(), k.busy(), k.lastUsed(), e.restarts().get(), pid);
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
