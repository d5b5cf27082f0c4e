package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline a tokenizer.json describes (normalizer, pre-tokenizer, model, post-processor, decoder), and the
 * choice of the Glassbox tokenizer that runs it. Only the combinations that real models use are accepted;
 * anything else is refused with a message naming the part that is not supported, rather than tokenized
 * differently from the model's own tokenizer.
 */
final class JsonPipeline {
    private JsonPipeline() {}

    static Tokenizer tokenizer(TokenizerJson json) {
        return switch (json.modelType()) {
            case "WordPiece" -> WordPiece.from(json);
            case "BPE" -> {
                if (has(json.preTokenizer(), "ByteLevel")) yield ByteLevelBpe.from(json);
                if (has(json.preTokenizer(), "Metaspace") || SentencePieceBpe.replacesSpaces(json.normalizer())) yield SentencePieceBpe.from(json);
                throw new IllegalArgumentException("a BPE tokenizer.json with a ByteLevel pre_tokenizer (GPT-2 style) or with "
                        + "spaces replaced by ▁ (SentencePiece style: a Metaspace pre_tokenizer or a Replace normalizer) expected, found "
                        + "normalizer " + describe(json.normalizer()) + " and pre_tokenizer " + describe(json.preTokenizer()));
            }
            case "WordLevel" -> CharTokenizer.from(json);
            default -> throw new IllegalArgumentException("tokenizer.json model type " + json.modelType()
                    + " is not supported (supported: WordPiece, BPE, WordLevel with one character per token)");
        };
    }

    /** A component and, for a {@code Sequence}, the components inside it, in order, flattened. */
    static List<JsonNode> components(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isNull() || node.isMissingNode()) return out;
        if (node.path("type").asText("").equals("Sequence")) {
            for (String list : new String[] {"normalizers", "pretokenizers", "processors", "decoders"}) {
                for (JsonNode inner : node.path(list)) out.addAll(components(inner));
            }
        } else {
            out.add(node);
        }
        return out;
    }

    /** Whether {@code node} is, or is a Sequence holding, a component of {@code type}. */
    static boolean has(JsonNode node, String type) {
        for (JsonNode c : components(node)) if (c.path("type").asText("").equals(type)) return true;
        return false;
    }

    /** A component's type for messages, its types for a Sequence, or "null". */
    static String describe(JsonNode node) {
        if (node.isNull() || node.isMissingNode()) return "null";
        if (!node.path("type").isTextual()) return node.toString();
        if (!node.path("type").textValue().equals("Sequence")) return node.path("type").textValue();
        List<String> types = new ArrayList<>();
        for (JsonNode c : components(node)) types.add(describe(c));
        return "Sequence" + types;
    }
}
