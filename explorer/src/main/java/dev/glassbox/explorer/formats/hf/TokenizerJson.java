package dev.glassbox.explorer.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Hugging Face {@code tokenizer.json} holds: the model's type and vocabulary, the BPE merges,
 * the added (special) tokens, and the normalizer, pre-tokenizer, post-processor and decoder
 * configurations as raw JSON (the tokenizers that use them are built elsewhere).
 *
 * @param modelType {@code WordPiece}, {@code BPE}, {@code Unigram} or {@code WordLevel}
 * @param vocab     token -> id, in file order; for Unigram the id is the position in the list
 * @param scores    Unigram log-probabilities by id; empty for the other models
 * @param merges    BPE merges in priority order; empty for the other models
 * @param model     the whole {@code model} object, for its other settings (unk_token, continuing_subword_prefix, ...)
 */
public record TokenizerJson(String modelType, Map<String, Integer> vocab, double[] scores, List<Merge> merges,
                            List<AddedToken> addedTokens, JsonNode normalizer, JsonNode preTokenizer,
                            JsonNode postProcessor, JsonNode decoder, JsonNode model) {

    /** Large vocabularies (250K tokens with merges) make files of 10 to 30 MB. */
    public static final long MAX_BYTES = 256L << 20;

    /** One BPE merge: the pair of symbols that becomes one. */
    public record Merge(String left, String right) {}

    /** A token added on top of the model's vocabulary, usually a special token such as {@code [CLS]}. */
    public record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip,
                             boolean rstrip, boolean normalized) {}

    public static TokenizerJson read(Path file) throws IOException {
        JsonFields json = JsonFields.read(file, MAX_BYTES);
        JsonNode model = json.get("model");
        if (model == null || !model.isObject()) throw json.error("model", "a model object expected");
        String type = model.path("type").isTextual() ? model.path("type").textValue() : model.has("merges") ? "BPE" : null;
        if (type == null) throw json.error("model", "model.type expected, found none");

        Map<String, Integer> vocab = new LinkedHashMap<>();
        double[] scores = new double[0];
        JsonNode v = model.path("vocab");
        if (v.isObject()) {                                             // WordPiece, BPE, WordLevel: {token: id}
            Map<Integer, String> byId = new HashMap<>();
            for (Map.Entry<String, JsonNode> entry : v.properties()) {
                JsonNode id = entry.getValue();
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                    throw json.error("model", "model.vocab id of " + entry.getKey() + " as a non-negative integer expected, found " + id);
                }
                String other = byId.put(id.intValue(), entry.getKey());
                if (other != null) throw json.error("model", "unique vocab ids expected, found " + id + " for " + other + " and " + entry.getKey());
                vocab.put(entry.getKey(), id.intValue());
            }
        } else if (v.isArray()) {                                       // Unigram: [[token, score], ...]
            scores = new double[v.size()];
            for (int i = 0; i < v.size(); i++) {
                JsonNode pair = v.get(i);
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isNumber()) {
                    throw json.error("model", "model.vocab entry " + i + " as [token, score] expected, found " + pair);
                }
                if (vocab.putIfAbsent(pair.get(0).textValue(), i) != null) {
                    throw json.error("model", "unique vocab tokens expected, found " + pair.get(0) + " twice");
                }
                scores[i] = pair.get(1).doubleValue();
            }
        } else {
            throw json.error("model", "model.vocab as an object or an array expected, found " + v.getNodeType());
        }

        List<Merge> merges = new ArrayList<>();
        JsonNode m = model.path("merges");
        if (!m.isMissingNode() && !m.isNull()) {
            if (!m.isArray()) throw json.error("model", "model.merges as an array expected");
            for (JsonNode merge : m) {
                if (merge.isTextual()) {                                 // older files: "left right"
                    String text = merge.textValue();
                    int space = text.indexOf(' ');
                    if (space < 0 || text.indexOf(' ', space + 1) >= 0) throw json.error("model", "a merge \"left right\" expected, found \"" + text + "\"");
                    merges.add(new Merge(text.substring(0, space), text.substring(space + 1)));
                } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                    merges.add(new Merge(merge.get(0).textValue(), merge.get(1).textValue()));   // newer files: [left, right]
                } else {
                    throw json.error("model", "a merge as \"left right\" or [left, right] expected, found " + merge);
                }
            }
        }

        List<AddedToken> added = new ArrayList<>();
        JsonNode a = json.get("added_tokens");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) throw json.error("added_tokens", "added_tokens as an array expected");
            for (JsonNode token : a) {
                JsonNode id = token.path("id");
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || !token.path("content").isTextual()) {
                    throw json.error("added_tokens", "an added token with an integer id and a content string expected, found " + token);
                }
                added.add(new AddedToken(id.intValue(), token.get("content").textValue(), token.path("special").asBoolean(false),
                        token.path("single_word").asBoolean(false), token.path("lstrip").asBoolean(false),
                        token.path("rstrip").asBoolean(false), token.path("normalized").asBoolean(false)));
            }
        }
        return new TokenizerJson(type, Collections.unmodifiableMap(vocab), scores, List.copyOf(merges), List.copyOf(added),
                node(json, "normalizer"), node(json, "pre_tokenizer"), node(json, "post_processor"), node(json, "decoder"), model);
    }

    /** The id of a token in the vocabulary or among the added tokens, or -1. */
    public int id(String token) {
        Integer id = vocab.get(token);
        if (id != null) return id;
        for (AddedToken t : addedTokens) if (t.content().equals(token)) return t.id();
        return -1;
    }

    private static JsonNode node(JsonFields json, String name) {
        JsonNode value = json.get(name);
        return value == null ? NullNode.getInstance() : value;
    }
}
