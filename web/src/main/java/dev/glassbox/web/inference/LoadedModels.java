package dev.glassbox.web.inference;

import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.tinymodels.ModelEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * The models loaded for inference, by catalog id: each loaded once, on first use, and kept while it is
 * among the {@code capacity} most recently used. Callers hold a {@link Lease} while they run a model; a
 * model pushed out of the cache is closed only when its last lease ends, so eviction never pulls the
 * mapped file from under a run. A model that fails to load is not remembered: the next request tries again.
 */
public final class LoadedModels implements AutoCloseable {
    /** Reads a model from its file; {@link Transformer#load} in the server, something smaller in tests. */
    @FunctionalInterface
    public interface Loader {
        Transformer load(Path file) throws IOException;
    }

    private static final Logger LOG = Logger.getLogger(LoadedModels.class.getName());

    /** One model, loading or loaded, and how many leases are out on it. Guarded by the cache's lock. */
    private static final class Slot {
        final CompletableFuture<Transformer> model = new CompletableFuture<>();
        int leases;
        boolean retired;
    }

    private final int capacity;
    private final Loader loader;
    private final LinkedHashMap<String, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);   // access order: eldest first
    private boolean closed;

    public LoadedModels(int capacity, Loader loader) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
        this.loader = loader;
    }

    /** A model in use; closing the lease lets the cache close the model once it is evicted. */
    public final class Lease implements AutoCloseable {
        private final Slot slot;
        private final Transformer model;
        private boolean released;

        private Lease(Slot slot, Transformer model) {
            this.slot = slot;
            this.model = model;
        }

        public Transformer model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (LoadedModels.this) {
                if (released) return;
                released = true;
            }
            release(slot);
        }
    }

    /**
     * The entry's model, loading it in this thread if nobody has yet (other callers wait for that load).
     *
     * @throws UncheckedIOException     the file could not be read as a model
     * @throws IllegalArgumentException the file is a model Glassbox cannot run (the message says why)
     */
    public Lease lease(ModelEntry entry) {
        Slot slot;
        boolean mine;
        List<Transformer> toClose = new ArrayList<>();
        synchronized (this) {
            if (closed) throw new IllegalStateException("the server is shutting down");
            slot = slots.get(entry.id());
            mine = slot == null;
            if (mine) {
                slot = new Slot();
                slots.put(entry.id(), slot);
                evictBeyondCapacity(toClose);
            }
            slot.leases++;
        }
        toClose.forEach(LoadedModels::closeQuietly);
        if (mine) load(entry, slot);
        try {
            return new Lease(slot, slot.model.join());
        } catch (CompletionException e) {
            release(slot);
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private void load(ModelEntry entry, Slot slot) {
        long start = System.nanoTime();
        try {
            Transformer model = loader.load(entry.file());
            LOG.info(() -> "loaded " + entry.id() + " for inference in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            slot.model.complete(model);
        } catch (IOException e) {
            forget(entry.id(), slot);
            slot.model.completeExceptionally(new UncheckedIOException("Model " + entry.id() + " could not be loaded: " + e.getMessage(), e));
        } catch (RuntimeException | Error e) {
            forget(entry.id(), slot);
            slot.model.completeExceptionally(new IllegalArgumentException("Model " + entry.id() + " cannot be run: " + e.getMessage(), e));
        }
    }

    private synchronized void forget(String id, Slot slot) {
        slots.remove(id, slot);
    }

    /** Marks the least recently used models past the capacity as retired; those nobody uses are closed now. */
    private void evictBeyondCapacity(List<Transformer> toClose) {
        Iterator<Map.Entry<String, Slot>> eldest = slots.entrySet().iterator();
        while (slots.size() > capacity && eldest.hasNext()) {
            Slot old = eldest.next().getValue();
            eldest.remove();
            old.retired = true;
            if (old.leases == 0 && old.model.isDone() && !old.model.isCompletedExceptionally()) toClose.add(old.model.join());
        }
    }

    private void release(Slot slot) {
        Transformer toClose = null;
        synchronized (this) {
            slot.leases--;
            if (slot.leases == 0 && slot.retired && slot.model.isDone() && !slot.model.isCompletedExceptionally()) {
                toClose = slot.model.join();
            }
        }
        if (toClose != null) closeQuietly(toClose);
    }

    /** The ids of the models loaded now, least recently used first. */
    public synchronized List<String> loaded() {
        return slots.entrySet().stream().filter(e -> e.getValue().model.isDone() && !e.getValue().model.isCompletedExceptionally())
                .map(Map.Entry::getKey).toList();
    }

    /** The model if it is loaded already, without waiting or loading (for cheap questions such as its tokenizer). */
    public synchronized Transformer ifLoaded(String id) {
        Slot slot = slots.get(id);
        return slot != null && slot.model.isDone() && !slot.model.isCompletedExceptionally() ? slot.model.join() : null;
    }

    /** Closes every model nobody is using; the ones in use close when their leases end. */
    @Override
    public void close() {
        List<Transformer> toClose = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Slot slot : slots.values()) {
                slot.retired = true;
                if (slot.leases == 0 && slot.model.isDone() && !slot.model.isCompletedExceptionally()) toClose.add(slot.model.join());
            }
            slots.clear();
        }
        toClose.forEach(LoadedModels::closeQuietly);
    }

    private static void closeQuietly(Transformer model) {
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warning("closing a model: " + e.getMessage());
        }
    }
}
