package dev.glassbox.tinymodels;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.Level;
import dev.glassbox.tinymodels.cards.Openness.LicenceType;
import dev.glassbox.tinymodels.cards.Openness.Part;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Models trained on this machine (the Train page saves them): a folder of such models, each in a subfolder
 * laid out as Hugging Face lays out a Llama ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json})
 * plus the {@code MODEL_CARD.md} the training run wrote. The subfolder's name is the model's id.
 */
public final class TrainedModels {
    /** The files every trained model's folder holds. */
    public static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md");

    private TrainedModels() {}

    /**
     * One entry per complete model folder in {@code dir}, by id; folders whose name starts with a dot (a save in
     * progress) are skipped, incomplete or unreadable ones are named in {@code problems}. A missing {@code dir} holds none.
     */
    public static List<ModelEntry> scan(Path dir, List<String> problems) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> folders;
        try (Stream<Path> list = Files.list(dir)) {
            folders = list.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        List<ModelEntry> entries = new ArrayList<>();
        for (Path folder : folders) {
            try {
                entries.add(entry(folder));
            } catch (IOException | RuntimeException e) {
                problems.add("trained model " + folder.getFileName() + ": " + e.getMessage());
            }
        }
        return entries;
    }

    /** The catalog entry of one trained model's folder; an IOException naming the first missing file. */
    public static ModelEntry entry(Path folder) throws IOException {
        for (String file : FILES) {
            if (!Files.isRegularFile(folder.resolve(file))) throw new IOException(file + " is missing from " + folder.getFileName());
        }
        String id = folder.getFileName().toString();
        Path weights = folder.resolve("model.safetensors");
        long parameters;
        try (ModelFile file = ModelFiles.open(weights)) {
            parameters = file.parameterCount();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> config = new ObjectMapper().readValue(folder.resolve("config.json").toFile(), LinkedHashMap.class);
        ModelCard card = ModelCard.parse(Files.readString(folder.resolve("MODEL_CARD.md"), StandardCharsets.UTF_8));
        String how = card.baseModel().isEmpty() ? "from scratch" : "fine-tuned from " + String.join(", ", card.baseModel());
        return new ModelEntry(id, title(folder, card, id), "llama", parameters,
                "trained on this machine by Glassbox, " + how + " (its folder: trained/" + id + ")", weights, config, card,
                openness(card.license()));
    }

    /** The title training.json records (the name the learner gave), else the card's first "# " heading, else the id. */
    static String title(Path folder, ModelCard card, String id) throws IOException {
        Path record = folder.resolve("training.json");
        if (Files.isRegularFile(record)) {
            var title = new ObjectMapper().readTree(record.toFile()).get("title");
            if (title != null && title.isTextual() && !title.asText().isBlank()) return title.asText();
        }
        for (String line : card.body().split("\n")) {
            if (line.startsWith("# ") && !line.substring(2).isBlank()) return line.substring(2).strip();
        }
        return id;
    }

    /** Everything is open: the recipe's code and data generator are in Glassbox, the weights in the folder. */
    static Openness openness(String licence) {
        LicenceType type = licence.equals("unknown") ? LicenceType.NONE
                : UserModels.OSI_LICENCES.contains(licence) ? LicenceType.OSI_APPROVED : LicenceType.CUSTOM_WITH_RESTRICTIONS;
        return Openness.builder(type)
                .part(Part.ARCHITECTURE, Level.OPEN, "a Llama-style decoder; config.json gives every size")
                .part(Part.INFERENCE_CODE, Level.OPEN, "Glassbox's own reader and kernels")
                .part(Part.TRAINING_CODE, Level.OPEN, "Glassbox's training code and the recipe named on the card")
                .part(Part.WEIGHTS, Level.OPEN, "model.safetensors in the model's folder")
                .part(Part.TRAINING_DATA, Level.OPEN, "made by the recipe's seeded generator in Glassbox; the card names the seed")
                .part(Part.LICENCE, switch (type) {
                    case OSI_APPROVED -> Level.OPEN;
                    case CUSTOM_WITH_RESTRICTIONS -> Level.PARTLY_OPEN;
                    case NONE -> Level.CLOSED;
                }, type == LicenceType.NONE ? "the card names no licence" : "the card names the licence " + licence)
                .build();
    }
}
