package dev.glassbox.explorer.formats;

import dev.glassbox.explorer.tensor.Tensor;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An opened model file: its format, its metadata, and its tensors in file order. The tensors' data is
 * memory-mapped, not read: opening a 2 GB file reads only its header, and a tensor's bytes are paged in
 * when they are decoded. Closing the file unmaps them; tensors must not be read after that.
 *
 * <pre>{@code
 * try (ModelFile file = ModelFiles.open(Path.of("model.safetensors"))) {
 *     for (Tensor t : file.tensors()) System.out.println(t);
 *     TensorStats stats = file.tensor("embeddings.word_embeddings.weight").stats(64);
 * }
 * }</pre>
 *
 * <p>A reader makes one ({@code GgufReader.read}, ...); {@code formats.detect.ModelFiles.open}
 * picks the reader for any file.
 *
 * <p>Metadata values are what the format stores: strings for safetensors' {@code __metadata__},
 * {@link dev.glassbox.explorer.formats.gguf.GgufValue typed values} for GGUF, model fields for ONNX.
 */
public final class ModelFile implements AutoCloseable {
    private final Format format;
    private final Path path;
    private final Map<String, Object> metadata;
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;
    private final Graph graph;
    private final Arena arena;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Used by the readers. {@code arena} owns the mappings behind the tensors and is closed with this file.
     * Tensor names must be unique.
     */
    public ModelFile(Format format, Path path, Map<String, ?> metadata, List<Tensor> tensors, Graph graph, Arena arena) {
        this.format = format;
        this.path = path;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.tensors = List.copyOf(tensors);
        Map<String, Tensor> names = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (names.put(t.name(), t) != null) throw new IllegalArgumentException("two tensors named " + t.name());
        }
        this.byName = Collections.unmodifiableMap(names);
        this.graph = graph;
        this.arena = arena;
    }

    public Format format() { return format; }

    /** The file opened (for sharded safetensors, the index). */
    public Path path() { return path; }

    public Map<String, Object> metadata() { return metadata; }

    /** All tensors, in the order the file lists them. */
    public List<Tensor> tensors() { return tensors; }

    public Optional<Tensor> find(String name) { return Optional.ofNullable(byName.get(name)); }

    public Tensor tensor(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new NoSuchElementException(path.getFileName() + " has no tensor named " + name);
        return t;
    }

    /** The computation graph, for formats that store one (ONNX). */
    public Optional<Graph> graph() { return Optional.ofNullable(graph); }

    /** Total number of values in all tensors. */
    public long parameterCount() {
        long count = 0;
        for (Tensor t : tensors) count += t.elementCount();
        return count;
    }

    /** Unmaps the tensors' data. Closing twice is harmless. */
    @Override public void close() {
        if (closed.compareAndSet(false, true)) arena.close();
    }

    @Override public String toString() {
        return format + " " + path.getFileName() + " (" + tensors.size() + " tensors)";
    }
}
