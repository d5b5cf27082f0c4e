package dev.glassbox.web.inference;

import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.web.shelf.ModelShelf;
import io.javalin.http.BadRequestResponse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizer of each model in the catalog, read without loading the weights: the tokenizer.json beside
 * the file (ONNX, safetensors), or the GGUF file's own vocabulary. Comparing every model's tokenizer on one
 * page must not load every model. Read once per model and kept (a tokenizer is a vocabulary and some merges).
 */
final class ModelTokenizers {
    private final ModelShelf shelf;
    private final LoadedModels models;
    private final Map<String, Tokenizer> byId = new ConcurrentHashMap<>();

    ModelTokenizers(ModelShelf shelf, LoadedModels models) {
        this.shelf = shelf;
        this.models = models;
    }

    /** The entry's tokenizer; a 400 naming the model when its files hold none. */
    Tokenizer of(ModelEntry entry) {
        return byId.computeIfAbsent(entry.id(), id -> read(entry));
    }

    private Tokenizer read(ModelEntry entry) {
        Transformer loaded = models.ifLoaded(entry.id());
        if (loaded != null) {
            try {
                return loaded.tokenizer();
            } catch (IllegalStateException none) {
                throw noTokenizer(entry);
            }
        }
        Tokenizer tokenizer;
        try {
            boolean gguf = entry.file().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
            tokenizer = gguf ? Transformer.ggufTokenizer(shelf.file(entry)) : Transformer.siblingTokenizer(entry.file());
        } catch (IOException e) {
            throw new UncheckedIOException("The tokenizer of " + entry.id() + " could not be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BadRequestResponse("The tokenizer of " + entry.id() + " cannot be used: " + e.getMessage());
        }
        if (tokenizer == null) throw noTokenizer(entry);
        return tokenizer;
    }

    /**
     * {@code preferred} when the entry's tokenizer can encode it, else {@code fallback}: a model trained on a small
     * alphabet (induction-2l knows only letters and digits) cannot read an English sentence, so its pages open with a
     * text it can read. A model whose tokenizer cannot be read gets {@code preferred}; its page then shows the error.
     */
    String example(ModelEntry entry, String preferred, String fallback) {
        try {
            Tokenizer tokenizer = of(entry);
            tokenizer.encode(preferred, false);
            return preferred;
        } catch (IllegalArgumentException cannotEncode) {
            return fallback;
        } catch (RuntimeException unreadable) {
            return preferred;
        }
    }

    private static BadRequestResponse noTokenizer(ModelEntry entry) {
        return new BadRequestResponse("Model " + entry.id() + " came without a tokenizer (no tokenizer.json beside "
                + entry.file().getFileName() + ", and no vocabulary in the file itself)");
    }
}
