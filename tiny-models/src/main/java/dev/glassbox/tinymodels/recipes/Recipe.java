package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.tokenizers.BpeVocabulary;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.data.Dataset;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.SortingLists;
import dev.glassbox.tinymodels.data.Stories;
import dev.glassbox.tinymodels.data.StoryStyle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The three recipes Glassbox ships models from: a model shape, a seeded dataset, a tokenizer made from that data,
 * and the training settings the shipped model was made with ({@link #defaults()}). {@link TrainingRun} runs one.
 */
public enum Recipe {
    /** Sorts lists of two to eight digits: about 100k parameters, two layers. */
    SORTER("sorter", "Sorter: sorts lists of digits", RecipeTokenizer.SORTER,
            "A two-layer Llama-style model of about 100k parameters that reads a list of digits and writes it sorted"
                    + " (`52917>12579.`). The loss counts only the answer after `>`, so the model spends its capacity on"
                    + " sorting; its attention patterns show each answer digit looking back at the digits of the list.",
            new RecipeSettings(2, 64, 4, 4, 128, 18, 32, 3000, 3e-3f, 50, SortingLists.SEED),
            new RecipeSettings(2, 64, 4, 4, 128, 18, 32, 300, 3e-3f, 30, SortingLists.SEED),
            new RecipeSettings.Limits(new RecipeSettings(1, 16, 1, 1, 0, 18, 1, 1, 1e-5f, 0, 0),
                    new RecipeSettings(4, 256, 8, 8, 1024, 18, 256, 20_000, 3e-2f, 2000, 0))),
    /** Copies random sequences that repeat with a random period: a two-layer attention-only model where induction heads form. */
    INDUCTION("induction-2l", "Induction: two attention-only layers that learn to copy", RecipeTokenizer.INDUCTION,
            "A two-layer attention-only model (no MLP) trained on random sequences that repeat with a random period of 4 to"
                    + " 24 symbols. The first period cannot be predicted; the repeats can, by a head in layer 1 that attends to"
                    + " the symbol after the earlier occurrence of the current symbol, helped by a previous-token head in layer 0:"
                    + " an induction head (Olsson et al., 2022). The loss on the repeats falls suddenly after a couple of hundred"
                    + " steps, when the two heads form together.",
            new RecipeSettings(2, 64, 2, 2, 0, RepeatedSequences.LENGTH, 32, 1000, 2e-3f, 50, RepeatedSequences.SEED),
            new RecipeSettings(2, 64, 2, 2, 0, RepeatedSequences.LENGTH, 32, 600, 2e-3f, 50, RepeatedSequences.SEED),
            new RecipeSettings.Limits(new RecipeSettings(1, 16, 1, 1, 0, RepeatedSequences.LENGTH, 1, 1, 1e-5f, 0, 0),
                    new RecipeSettings(4, 256, 8, 8, 0, RepeatedSequences.LENGTH, 256, 20_000, 3e-2f, 2000, 0))),
    /** Writes little stories: a Llama-style model with grouped-query attention and SwiGLU, a few million parameters. */
    TINY_STORIES("tiny-stories", "Tiny stories: a Llama-style model that writes little stories", RecipeTokenizer.TINY_STORIES,
            "A Llama-style decoder (RMSNorm, rotary position embeddings, SwiGLU MLP, grouped-query attention with half as"
                    + " many key/value heads as query heads) trained on little stories from Glassbox's seeded story grammar,"
                    + " with a byte-level BPE tokenizer of 1024 tokens learned from the same stories. It writes grammatical"
                    + " little stories whose pronouns follow their hero.",
            new RecipeSettings(4, 192, 6, 3, 512, 256, 8, 1500, 2e-3f, 20, Stories.SEED),
            new RecipeSettings(2, 96, 4, 2, 256, 64, 8, 200, 3e-3f, 20, Stories.SEED),
            new RecipeSettings.Limits(new RecipeSettings(1, 32, 1, 1, 0, 16, 1, 1, 1e-5f, 0, 0),
                    new RecipeSettings(8, 512, 16, 16, 2048, 256, 64, 100_000, 3e-2f, 5000, 0)));

    private final String id, title, description;
    private final RecipeTokenizer tokenizer;
    private final RecipeSettings defaults, quick;
    private final RecipeSettings.Limits limits;

    Recipe(String id, String title, RecipeTokenizer tokenizer, String description, RecipeSettings defaults,
           RecipeSettings quick, RecipeSettings.Limits limits) {
        this.id = id;
        this.title = title;
        this.tokenizer = tokenizer;
        this.description = description;
        this.defaults = defaults;
        this.quick = quick;
        this.limits = limits;
    }

    /** The model's id in the catalog and on the command line ({@code sorter}, {@code induction-2l}, {@code tiny-stories}). */
    public String id() { return id; }

    /** The class-path resource of one file of this recipe's shipped model ({@code shipped/<id>/<file>}). */
    public String resource(String file) { return "shipped/" + id + "/" + file; }

    public String title() { return title; }

    /** One paragraph for the Train page and the model card. */
    public String description() { return description; }

    /** The settings the shipped model was trained with. */
    public RecipeSettings defaults() { return defaults; }

    /** A small, fast variant for the Train page or a notebook cell (seconds to a minute). */
    public RecipeSettings quick() { return quick; }

    /** The range of every adjustable field. */
    public RecipeSettings.Limits limits() { return limits; }

    /** Which recipe tokenizer its texts are cut with. */
    public RecipeTokenizer recipeTokenizer() { return tokenizer; }

    /** The class of this recipe's dataset, named on model cards without generating any data. */
    public Class<? extends Dataset<?>> datasetType() {
        return switch (this) {
            case SORTER -> SortingLists.class;
            case INDUCTION -> RepeatedSequences.class;
            case TINY_STORIES -> Stories.class;
        };
    }

    /** The dataset of this recipe with the given seed (the shipped models use the dataset's own SEED). */
    public Dataset<?> dataset(long seed) {
        return switch (this) {
            case SORTER -> new SortingLists(seed);
            case INDUCTION -> new RepeatedSequences(seed);
            case TINY_STORIES -> new Stories(StoryStyle.PLAIN, seed);
        };
    }

    /** The recipe with this id; an IllegalArgumentException names the known ids. */
    public static Recipe byId(String id) {
        for (Recipe r : values()) if (r.id.equals(id)) return r;
        throw new IllegalArgumentException("recipe " + id + " unknown; the recipes are "
                + Arrays.stream(values()).map(Recipe::id).toList());
    }

    // ---------------------------------------------------------------- tokenizers, made once per JVM

    private record Made(BpeVocabulary vocabulary, Tokenizer tokenizer) {}

    private static final Map<RecipeTokenizer, Made> MADE = new EnumMap<>(RecipeTokenizer.class);

    /** The vocabulary of this recipe's tokenizer (the story merges are learned once per JVM, about 1.5 s). */
    public BpeVocabulary vocabulary() { return made().vocabulary(); }

    /** This recipe's tokenizer, as {@code Tokenizer.fromFile} reads the tokenizer.json that {@link #vocabulary()} writes. */
    public Tokenizer tokenizer() { return made().tokenizer(); }

    private Made made() {
        synchronized (MADE) {
            return MADE.computeIfAbsent(tokenizer, t -> {
                BpeVocabulary vocabulary = t.vocabulary();
                try {
                    Path file = Files.createTempFile("glassbox-" + id, ".tokenizer.json");
                    try {
                        return new Made(vocabulary, Tokenizer.fromFile(vocabulary.write(file)));
                    } finally {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the tokenizer of " + id + " to a temporary file", e);
                }
            });
        }
    }
}
