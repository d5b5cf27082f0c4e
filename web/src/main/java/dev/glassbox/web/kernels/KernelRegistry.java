package dev.glassbox.web.kernels;

import dev.glassbox.kernel.Kernel;
import dev.glassbox.kernel.KernelPool;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kernels of all learners. A kernel belongs to the learner who opened it: asking for it from
 * another session finds nothing. A learner keeps at most a few kernels (the least recently used idle
 * one is closed to make room) and kernels idle for long are closed; saved cells are not affected.
 */
public final class KernelRegistry implements AutoCloseable {
    private record Entry(Kernel kernel, String learnerId) {}

    private final KernelPool pool;
    private final int maxPerLearner;
    private final Duration idleTimeout;
    private final Map<String, Entry> kernels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService culler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kernel-culler").unstarted(r));

    public KernelRegistry(KernelPool pool, int maxPerLearner, Duration idleTimeout) {
        this.pool = pool;
        this.maxPerLearner = maxPerLearner;
        this.idleTimeout = idleTimeout;
        culler.scheduleWithFixedDelay(this::cullIdle, 1, 1, TimeUnit.MINUTES);
    }

    public KernelPool pool() {
        return pool;
    }

    /** Opens a kernel for the learner, closing their least recently used idle kernel if they have too many. */
    public Kernel open(String learnerId) throws IOException {
        var own = kernels.values().stream().filter(e -> e.learnerId().equals(learnerId)).toList();
        if (own.size() >= maxPerLearner) {
            own.stream().filter(e -> !e.kernel().busy()).min(Comparator.comparing(e -> e.kernel().lastUsed()))
                    .ifPresent(e -> close(e.kernel().id(), learnerId));
        }
        Kernel kernel = pool.open();
        kernels.put(kernel.id(), new Entry(kernel, learnerId));
        return kernel;
    }

    /** The kernel with this id, only if it belongs to this learner. */
    public Optional<Kernel> find(String id, String learnerId) {
        Entry entry = id == null ? null : kernels.get(id);
        return entry != null && entry.learnerId().equals(learnerId) ? Optional.of(entry.kernel()) : Optional.empty();
    }

    public boolean close(String id, String learnerId) {
        Entry entry = kernels.get(id);
        if (entry == null || !entry.learnerId().equals(learnerId)) return false;
        kernels.remove(id);
        entry.kernel().close();
        return true;
    }

    public int size() {
        return kernels.size();
    }

    public long busyCount() {
        return kernels.values().stream().filter(e -> e.kernel().busy()).count();
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
