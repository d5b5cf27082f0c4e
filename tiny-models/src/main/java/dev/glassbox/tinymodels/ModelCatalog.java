package dev.glassbox.tinymodels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every model Glassbox can show: all-MiniLM-L6-v2 from Maven Central, the models Glassbox trained itself
 * (tiny-stories, sorter, induction-2l; {@link TrainedModel}) and their GGUF exports, the untrained placeholders
 * tiny-llama-random and tiny-gpt2-random, and the files in the learner's own models folder.
 *
 * <pre>{@code
 * ModelCatalog catalog = ModelCatalog.load(Path.of("data/models"), null);
 * for (ModelEntry m : catalog.entries()) System.out.println(m.id() + " " + m.parameters());
 * }</pre>
 *
 * @param problems one line per model that could not be added (a user's file that fails to open, MiniLM's jar missing)
 */
public record ModelCatalog(List<ModelEntry> entries, List<String> problems) {
    public ModelCatalog {
        entries = List.copyOf(entries);
        problems = List.copyOf(problems);
    }

    /**
     * Loads the catalog, copying and generating the shipped models' files into {@code cacheDir} the first
     * time (later loads reuse them without writing). {@code userDir} is the learner's folder of model files, or null.
     */
    public static ModelCatalog load(Path cacheDir, Path userDir) throws IOException {
        return load(new ShippedFolder(cacheDir, true), userDir);
    }

    /**
     * The shipped models in a folder the server prepared with {@link #load(Path, Path)}, read without writing a
     * byte: a file that is missing or incomplete is an IOException that says so (a kernel's folder is read-only).
     */
    public static ModelCatalog loadPrepared(Path shippedDir) throws IOException {
        if (!Files.isDirectory(shippedDir)) {
            throw new IOException("the shipped models folder " + shippedDir + " does not exist: the Glassbox server passes it to"
                    + " each notebook kernel, so this kernel was started without it");
        }
        return load(new ShippedFolder(shippedDir, false), null);
    }

    private static ModelCatalog load(ShippedFolder shipped, Path userDir) throws IOException {
        List<ModelEntry> entries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try {
            entries.add(MiniLmL6.entry(shipped, "minilm"));
        } catch (IOException e) {
            if (!shipped.mayWrite()) throw e;                          // a kernel: the server's folder is not ready
            problems.add("all-MiniLM-L6-v2: " + e.getMessage());   // e.g. its jar left off the class path: show the rest
        }
        for (dev.glassbox.tinymodels.recipes.Recipe recipe : TrainedModel.SHIPPED) {
            try {
                entries.addAll(TrainedModel.entries(shipped, recipe));
            } catch (IOException e) {
                if (!shipped.mayWrite()) throw e;
                problems.add(recipe.id() + ": " + e.getMessage());
            }
        }
        entries.addAll(TinyLlamaRandom.entries(shipped, TinyLlamaRandom.ID));
        entries.add(TinyGpt2Random.entry(shipped, TinyGpt2Random.ID));
        if (userDir != null) {
            if (Files.isDirectory(userDir)) entries.addAll(UserModels.scan(userDir, problems));
            else problems.add("models folder " + userDir + " does not exist or is not a folder");
        }
        return new ModelCatalog(entries, problems);
    }

    /**
     * Names the folder of shipped models a notebook kernel reads: the server prepares it and passes it
     * read-only into each kernel's sandbox.
     */
    public static final String SHIPPED_PROPERTY = "glassbox.models.dir";

    /**
     * The catalog a notebook cell sees: the shipped models in the folder {@value #SHIPPED_PROPERTY} names,
     * prepared by the server and only read here ({@link #loadPrepared}); without that property, the
     * models in {@code ~/.glassbox/models}, prepared there on first use.
     */
    public static ModelCatalog load() throws IOException {
        String shipped = System.getProperty(SHIPPED_PROPERTY);
        return shipped != null ? loadPrepared(Path.of(shipped))
                : load(Path.of(System.getProperty("user.home"), ".glassbox", "models"), null);
    }

    /** A shipped model by id, loaded to run, e.g. {@code ModelCatalog.open("all-minilm-l6-v2")}. */
    public static dev.glassbox.explorer.models.Transformer open(String id) throws IOException {
        ModelCatalog catalog = load();
        ModelEntry entry = catalog.find(id).orElseThrow(() -> new IllegalArgumentException("no model " + id + "; the catalog has "
                + catalog.entries().stream().map(ModelEntry::id).toList()
                + (catalog.problems().isEmpty() ? "" : ", and could not add: " + String.join("; ", catalog.problems()))));
        return entry.load();
    }

    /** This catalog with {@code more} entries after its own (e.g. the models trained on this server). */
    public ModelCatalog with(List<ModelEntry> more, List<String> moreProblems) {
        List<ModelEntry> all = new ArrayList<>(entries);
        all.addAll(more);
        List<String> allProblems = new ArrayList<>(problems);
        allProblems.addAll(moreProblems);
        return new ModelCatalog(all, allProblems);
    }

    public Optional<ModelEntry> find(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }
}
