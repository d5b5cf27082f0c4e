package dev.glassbox.tinymodels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.TrainingRun;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model Glassbox trained itself and ships in this jar: the folder {@code glassbox train RECIPE --out DIR} wrote
 * (model.safetensors, config.json, tokenizer.json, MODEL_CARD.md, training.json), committed as class-path resources
 * under {@code shipped/<id>/}. On first start the files are copied into the shipped models folder and the GGUF
 * exports (F32, Q8_0, Q4_0) derived from them; a marker with the weights' SHA-256 makes new weights replace old copies.
 */
public final class TrainedModel {
    /** The trained models the catalog lists (those whose files are in this jar), the recipe id of each being its model id. */
    public static final List<Recipe> SHIPPED = java.util.stream.Stream.of(Recipe.TINY_STORIES, Recipe.SORTER, Recipe.INDUCTION)
            .filter(r -> TrainedModel.class.getClassLoader().getResource(r.resource("training.json")) != null).toList();
    /** The files of a shipped folder, as {@link TrainingRun#save} writes them. */
    static final List<String> FILES = List.of("model.safetensors", "config.json", "tokenizer.json", "MODEL_CARD.md", "training.json");
    /** Bumped when the derived files change. */
    static final String VERSION = "1: copied from shipped/ resources, GGUF exports by GgufExport";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainedModel() {}

    /** The catalog entries (safetensors first, then the GGUF exports), preparing the folder {@code folder/name} if needed. */
    static List<ModelEntry> entries(ShippedFolder folder, Recipe recipe) throws IOException {
        String id = recipe.id();
        String marker = VERSION + "\nmodel.safetensors " + trainingRecord(recipe).path("model_sha256").asText();
        Path dir = folder.ready(id, id, d -> missing(d, id, marker), d -> copy(d, recipe, marker));
        JsonNode record = JSON.readTree(dir.resolve("training.json").toFile());
        long parameters = record.path("parameters").asLong();
        Map<String, Object> config = JSON.readValue(dir.resolve("config.json").toFile(), LinkedHashMap.class);
        String body = ModelCard.parse(Files.readString(dir.resolve("MODEL_CARD.md"))).body();
        String source = "trained by Glassbox: " + record.path("command").asText();
        ModelCard card = card(recipe, body);                        // one card for the weights and their exports
        Openness openness = TrainingRun.openness(recipe);
        List<ModelEntry> entries = new ArrayList<>();
        entries.add(new ModelEntry(id, id, "llama", parameters, source, dir.resolve("model.safetensors"), config, card, openness));
        for (DType type : GgufExport.TYPES) {
            String suffix = type.name().toLowerCase(Locale.ROOT);
            entries.add(new ModelEntry(id + "-" + suffix, id + " (GGUF " + type + ")", "llama", parameters,
                    source + "; GGUF export, 2-D weights as " + type, dir.resolve(GgufExport.fileName(id, type)), config,
                    card, openness));
        }
        return entries;
    }

    private static ModelCard card(Recipe recipe, String body) {
        return TrainingRun.card(recipe, recipe.datasetType().getName(), body);
    }

    /** The training.json of a shipped model, read from the class path. */
    public static JsonNode trainingRecord(Recipe recipe) throws IOException {
        try (InputStream in = open(recipe, "training.json")) {
            return JSON.readTree(in);
        }
    }

    private static InputStream open(Recipe recipe, String file) throws IOException {
        InputStream in = TrainedModel.class.getClassLoader().getResourceAsStream(recipe.resource(file));
        if (in == null) throw new IOException("resource " + recipe.resource(file) + " missing from the class path (tiny-models jar)");
        return in;
    }

    private static String missing(Path dir, String id, String marker) throws IOException {
        Path written = dir.resolve("GENERATED");
        if (!Files.exists(written) || !Files.readString(written).equals(marker)) return "GENERATED is missing or names other weights";
        List<String> files = new ArrayList<>(FILES);
        for (DType type : GgufExport.TYPES) files.add(GgufExport.fileName(id, type));
        for (String file : files) {
            String absent = ShippedFolder.absent(dir.resolve(file));
            if (absent != null) return absent;
        }
        return null;
    }

    private static void copy(Path dir, Recipe recipe, String marker) throws IOException {
        Files.deleteIfExists(dir.resolve("GENERATED"));                  // written again last, once every file is whole
        for (String file : FILES) {
            try (InputStream in = open(recipe, file)) {
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        GgufExport.all(dir, recipe.id(), TrainingRun.LICENSE);
        Files.writeString(dir.resolve("GENERATED"), marker, StandardCharsets.UTF_8);
    }
}
