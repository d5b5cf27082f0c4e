package dev.glassbox.web.shelf;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.TensorStats;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.TrainedModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The catalog the server shows and the model files it has opened. The catalog is loaded once: the server
 * starts that at start-up in the background ({@link #prepareInBackground}), because the first load ever
 * copies MiniLM and generates the tiny models into {@code dataDir/models}, the folder every notebook kernel
 * reads them from. A file is opened (mapped) when a page first asks for it and stays open. The models trained
 * on this server ({@code dataDir/trained}, saved by the Train page) follow the shipped ones; {@link #refreshTrained}
 * reads that folder again after a save.
 */
public final class ModelShelf {
    /** System property naming the learner's folder of model files ({@code --models DIR}). */
    public static final String USER_MODELS_PROPERTY = "glassbox.models";
    private static final Logger LOG = Logger.getLogger(ModelShelf.class.getName());

    private final Path cacheDir;
    private final Path userDir;
    private final Path trainedDir;
    private volatile ModelCatalog shipped;
    private volatile ModelCatalog catalog;      // shipped + trained
    private volatile Thread preparing;
    private volatile String failure;
    private final Map<String, ModelFile> open = new ConcurrentHashMap<>();
    private final Map<String, TensorStats> stats = new ConcurrentHashMap<>();
    private final Map<String, Optional<Tokenizer>> tokenizers = new ConcurrentHashMap<>();   // one per model at most

    ModelShelf(Path cacheDir, Path userDir, Path trainedDir) {
        this.cacheDir = cacheDir;
        this.userDir = userDir;
        this.trainedDir = trainedDir;
    }

    /**
     * Makes the shelf for a server with this data folder. Nothing is read yet: {@link #prepareInBackground},
     * or else the first page or API call that needs the catalog, loads it (a second or two the very first
     * time, to copy MiniLM out of its jar).
     */
    public static ModelShelf prepare(Path dataDir) {
        String user = System.getProperty(USER_MODELS_PROPERTY);
        return new ModelShelf(dataDir.resolve("models"), user == null || user.isBlank() ? null : Path.of(user),
                dataDir.resolve("trained"));
    }

    /** The folder of the shipped models' files, which kernels read ({@code dataDir/models}). */
    public Path shippedDir() {
        return cacheDir;
    }

    /** The folder of the models trained on this server ({@code dataDir/trained}), one subfolder per model. */
    public Path trainedDir() {
        return trainedDir;
    }

    /**
     * Loads the catalog now, in a background thread, so that the shipped models' files are in place by the
     * time a notebook cell asks for them (a kernel only reads them, and says so if they are not ready yet).
     * Until it is done, pages and API calls that need the catalog get {@link NotReady}.
     */
    public synchronized void prepareInBackground() {
        if (preparing != null || catalog != null) return;
        preparing = Thread.ofPlatform().daemon().name("model-shelf").start(() -> {
            long start = System.nanoTime();
            try {
                ModelCatalog loaded = load();
                LOG.info("model catalog ready in " + cacheDir + " after " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                        + loaded.entries().size() + " models");
            } catch (RuntimeException e) {
                failure = e.getMessage();
                LOG.log(Level.WARNING, "the shipped models could not be prepared; notebook cells that load them will fail", e);
            }
        });
    }

    /** Waits up to {@code timeout} for a preparation under way (a server that stops lets it finish writing). */
    public void awaitPrepared(Duration timeout) {
        Thread thread = preparing;
        if (thread == null) return;
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where the shipped models stand, for {@code /api/health}. */
    public record Readiness(String state, int models, String problem) {}

    public Readiness readiness() {
        ModelCatalog loaded = catalog;
        if (loaded != null) return new Readiness("ready", loaded.entries().size(), null);
        if (failure != null) return new Readiness("failed", 0, failure);
        return new Readiness(preparing != null ? "preparing" : "not started", 0, null);
    }

    /** The shipped models are still being prepared: the page says so and asks the browser to try again shortly. */
    public static final class NotReady extends RuntimeException {
        public NotReady() {
            super("Glassbox is preparing the shipped models (the first start copies and converts them); this takes a few seconds.");
        }
    }

    /**
     * The catalog. While the background preparation runs, waits a moment for it, then throws {@link NotReady}
     * rather than holding the request; without a background preparation, loads it here.
     */
    public ModelCatalog catalog() {
        ModelCatalog loaded = catalog;
        if (loaded != null) return loaded;
        Thread thread = preparing;
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(PATIENCE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (catalog != null) return catalog;
            if (thread.isAlive()) throw new NotReady();
        }
        return load();   // no preparation, or it failed: try here, and report the error to this caller
    }

    /** How long a request waits for a preparation under way before it is told to come back. */
    private static final Duration PATIENCE = Duration.ofMillis(1500);

    private ModelCatalog load() {
        synchronized (this) {
            if (catalog == null) {
                try {
                    shipped = ModelCatalog.load(cacheDir, userDir);
                    failure = null;
                    shipped.problems().forEach(p -> LOG.warning("model not added: " + p));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot prepare the model catalog in " + cacheDir + ": " + e.getMessage(), e);
                }
                catalog = withTrained(shipped);
            }
            return catalog;
        }
    }

    /** Reads the trained models' folder again (after a save), so the catalog lists what it holds now. */
    public void refreshTrained() {
        catalog();                                   // the shipped part first (loads it if nobody has yet)
        synchronized (this) {
            catalog = withTrained(shipped);
        }
    }

    private ModelCatalog withTrained(ModelCatalog base) {
        List<String> problems = new ArrayList<>();
        List<ModelEntry> trained;
        try {
            trained = TrainedModels.scan(trainedDir, problems);
        } catch (IOException e) {
            problems.add("cannot list " + trainedDir + ": " + e.getMessage());
            trained = List.of();
        }
        problems.forEach(p -> LOG.warning("model not added: " + p));
        List<String> ids = base.entries().stream().map(ModelEntry::id).toList();
        List<ModelEntry> fresh = trained.stream().filter(e -> !ids.contains(e.id())).toList();   // a shipped id wins
        return base.with(fresh, problems);
    }

    public Optional<ModelEntry> find(String id) {
        return catalog().find(id);
    }

    /** The entry's file, opened on first use. */
    public ModelFile file(ModelEntry entry) {
        return open.computeIfAbsent(entry.id(), id -> {
            try {
                return ModelFiles.open(entry.file());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + entry.file().getFileName() + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Statistics of one tensor. Those with the page's bin count ({@code cachedBins}) are computed once and kept (one
     * entry per tensor at most); any other count is computed for the request and not kept, so asking for every bin
     * count cannot fill the server's memory.
     */
    public TensorStats stats(ModelEntry entry, String tensor, int bins, int cachedBins) {
        if (bins != cachedBins) return file(entry).tensor(tensor).stats(bins);
        return stats.computeIfAbsent(entry.id() + "\u0000" + tensor, key -> file(entry).tensor(tensor).stats(bins));
    }

    /**
     * The entry's tokenizer, read without loading the weights (the tokenizer.json beside its file, or a GGUF's own
     * vocabulary) and kept; empty when its files hold none or it cannot be read (the tensor pages then show ids only).
     */
    public Optional<Tokenizer> tokenizer(ModelEntry entry) {
        return tokenizers.computeIfAbsent(entry.id(), id -> {
            try {
                boolean gguf = entry.file().getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf");
                return Optional.ofNullable(gguf ? Transformer.ggufTokenizer(file(entry)) : Transformer.siblingTokenizer(entry.file()));
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning("the tokenizer of " + id + " cannot be read; its tensors' rows are shown without tokens: " + e.getMessage());
                return Optional.empty();
            }
        });
    }
}
