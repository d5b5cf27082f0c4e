package dev.glassbox.web.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.TensorStats;
import dev.glassbox.models.ModelCatalog;
import dev.glassbox.models.ModelEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The catalog the server shows and the model files it has opened. The catalog is loaded once, on first
 * use (the first load ever copies MiniLM and generates the tiny model into {@code dataDir/models}); a file
 * is opened (mapped) when a page first asks for it and stays open.
 */
public final class ModelShelf {
    /** System property naming the learner's folder of model files ({@code --models DIR}). */
    public static final String USER_MODELS_PROPERTY = "glassbox.models";
    private static final Logger LOG = Logger.getLogger(ModelShelf.class.getName());
    private static volatile ModelShelf current;

    private final Path cacheDir;
    private final Path userDir;
    private volatile ModelCatalog catalog;
    private final Map<String, ModelFile> open = new ConcurrentHashMap<>();
    private final Map<String, TensorStats> stats = new ConcurrentHashMap<>();

    ModelShelf(Path cacheDir, Path userDir) {
        this.cacheDir = cacheDir;
        this.userDir = userDir;
    }

    /**
     * Makes the shelf for a server with this data folder. Nothing is read yet: the first page or API call
     * that needs the catalog loads it (about a second the very first time, to copy MiniLM out of its jar).
     */
    public static void prepare(Path dataDir) {
        String user = System.getProperty(USER_MODELS_PROPERTY);
        current = new ModelShelf(dataDir.resolve("models"), user == null || user.isBlank() ? null : Path.of(user));
    }

    /** The shelf {@link #prepare} made last; a shelf in a temporary folder if none was prepared. */
    public static ModelShelf current() {
        if (current == null) prepare(Path.of(System.getProperty("java.io.tmpdir"), "glassbox-models-" + ProcessHandle.current().pid()));
        return current;
    }

    public ModelCatalog catalog() {
        ModelCatalog loaded = catalog;
        if (loaded != null) return loaded;
        synchronized (this) {
            if (catalog == null) {
                try {
                    catalog = ModelCatalog.load(cacheDir, userDir);
                    catalog.problems().forEach(p -> LOG.warning("model not added: " + p));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot prepare the model catalog in " + cacheDir + ": " + e.getMessage(), e);
                }
            }
            return catalog;
        }
    }

    public Optional<ModelEntry> find(String id) {
        return catalog().find(id);
    }

    /** The entry's file, opened on first use. */
    public ModelFile file(ModelEntry entry) {
        return open.computeIfAbsent(entry.id(), id -> {
            try {
                return ModelFile.open(entry.file());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + entry.file().getFileName() + ": " + e.getMessage(), e);
            }
        });
    }

    /** Statistics of one tensor, computed once. */
    public TensorStats stats(ModelEntry entry, String tensor, int bins) {
        return stats.computeIfAbsent(entry.id() + "\u0000" + tensor + "\u0000" + bins,
                key -> file(entry).tensor(tensor).stats(bins));
    }
}
