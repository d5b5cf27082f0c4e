package dev.glassbox.tinymodels;

import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * One model in the catalog: where its file is, what it is, and how open it is.
 *
 * @param id         a short name for URLs ("all-minilm-l6-v2")
 * @param family     the architecture family as its files name it ({@code Architecture.Family}'s ids for the families
 *                   Glassbox runs, e.g. "llama"; a user's file may name another, or "unknown")
 * @param parameters the number of values in all its tensors
 * @param source     where the file comes from, in one line
 * @param file       the model file Glassbox opens
 * @param config     the model's hyper-parameters (from config.json or the file's metadata); may be empty
 */
public record ModelEntry(String id, String name, String family, long parameters, String source, Path file,
                         Map<String, Object> config, ModelCard card, Openness openness) {
    public ModelEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
    }

    /** Whether this is an encoder (BERT): it embeds text and has no next-token head, so nothing to generate with. */
    public boolean encoder() {
        return dev.glassbox.explorer.models.Architecture.Family.BERT.id().equals(family);
    }

    /** The model, loaded to run: its family's forward pass over these weights (close it when done). */
    public dev.glassbox.explorer.models.Transformer load() throws java.io.IOException {
        return dev.glassbox.explorer.models.Transformer.load(file);
    }
}
