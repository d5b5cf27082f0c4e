package dev.glassbox.web.training;

import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The models learners save from their training runs, in the shelf's trained folder ({@code <data>/trained/<id>/}),
 * where the catalog finds them. A name becomes an id that is safe as a folder and a URL; each learner may keep
 * a few. A save is written beside the folder first and moved into place whole, so the catalog never sees half a model.
 */
final class SavedModels {
    /** The file in a saved model's folder that names the learner who saved it (for the per-learner cap). */
    static final String OWNER = "SAVED_BY";
    static final int MAX_NAME = 60;
    static final int MAX_ID = 40;

    private final ModelShelf shelf;
    private final int perLearner;

    SavedModels(ModelShelf shelf, int perLearner) {
        this.shelf = shelf;
        this.perLearner = perLearner;
    }

    /** A name that cannot be saved, with why. */
    static final class BadName extends RuntimeException {
        BadName(String message) { super(message); }
    }

    /** The learner may not save more models. */
    static final class TooMany extends RuntimeException {
        TooMany(String message) { super(message); }
    }

    /**
     * The id a name becomes: lower case, runs of anything but a-z and 0-9 turned into one "-", at most
     * {@value #MAX_ID} characters. Names that try to reach another folder ("/", "\", "..") are refused, not cleaned.
     */
    static String idFor(String name) {
        String trimmed = name.strip();
        if (trimmed.isEmpty()) throw new BadName("Field \"name\" is empty: give the model a name, e.g. \"my-sorter\"");
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME) {
            throw new BadName("Field \"name\" has " + trimmed.codePointCount(0, trimmed.length()) + " characters; at most " + MAX_NAME);
        }
        if (trimmed.contains("/") || trimmed.contains("\\") || trimmed.contains("..") || trimmed.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new BadName("Field \"name\" may not hold \"/\", \"\\\", \"..\" or control characters (a name is not a path), found \""
                    + trimmed.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        String id = trimmed.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (id.length() > MAX_ID) id = id.substring(0, MAX_ID).replaceAll("-+$", "");
        if (id.isEmpty()) throw new BadName("Field \"name\" needs at least one letter a-z or digit 0-9, found \"" + trimmed + "\"");
        return id;
    }

    /** How many saved models name this learner as their owner. */
    int savedBy(String learnerId) throws IOException {
        Path root = shelf.trainedDir();
        if (!Files.isDirectory(root)) return 0;
        try (Stream<Path> folders = Files.list(root)) {
            return (int) folders.filter(f -> owner(f).equals(learnerId)).count();
        }
    }

    /**
     * Saves the run's model as {@code name}, owned by the learner; returns its id (the name's id, with "-2", "-3", ...
     * when taken). The catalog lists it as soon as this returns.
     */
    synchronized String save(BackgroundRun run, String learnerId, String name) throws IOException {
        String base = idFor(name);
        String why = run.whyNotSaveable();
        if (why != null) throw new IllegalStateException(why);
        int saved = savedBy(learnerId);
        if (saved >= perLearner) {
            throw new TooMany("You have saved " + saved + " models on this server, the most one learner may keep (" + perLearner + ").");
        }
        Path root = Files.createDirectories(shelf.trainedDir());
        Set<String> taken = shelf.catalog().entries().stream().map(ModelEntry::id).collect(Collectors.toSet());
        String id = base;
        for (int n = 2; taken.contains(id) || Files.exists(root.resolve(id)); n++) id = base + "-" + n;

        Path staging = Files.createTempDirectory(root, ".saving-");   // a dot folder: the catalog skips it
        try {
            Path written = run.save(staging, id, name.strip());
            Files.writeString(written.resolve(OWNER), learnerId + "\n", StandardCharsets.UTF_8);
            Files.move(written, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(staging);
        }
        shelf.refreshTrained();
        return id;
    }

    private static String owner(Path folder) {
        try {
            return Files.readString(folder.resolve(OWNER), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
