package dev.glassbox.explorer.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The common fields of a Hugging Face {@code config.json}, under their usual names or the GPT-2 style
 * aliases ({@code n_embd}, {@code n_layer}, ...), plus every field as read in {@code raw}.
 * Counts that the file does not give are -1, numbers NaN, strings null;
 * {@code numKeyValueHeads} defaults to {@code numAttentionHeads}, as in transformers.
 */
public record HfConfig(String modelType, List<String> architectures, int hiddenSize, int numHiddenLayers,
                       int numAttentionHeads, int numKeyValueHeads, int intermediateSize, int vocabSize,
                       int maxPositionEmbeddings, String hiddenAct, double layerNormEps, double rmsNormEps,
                       double ropeTheta, String torchDtype, boolean tieWordEmbeddings, Map<String, Object> raw) {

    /** config.json files are a few KB; this only stops a wrong file from being read whole. */
    public static final long MAX_BYTES = 16L << 20;

    public static HfConfig read(Path file) throws IOException {
        JsonFields json = JsonFields.read(file, MAX_BYTES);
        List<String> architectures = new ArrayList<>();
        JsonNode list = json.get("architectures");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) throw json.error("architectures", "architectures as an array of strings expected");
            for (JsonNode a : list) {
                if (!a.isTextual()) throw json.error("architectures", "architectures as an array of strings expected, found " + a);
                architectures.add(a.textValue());
            }
        }
        int heads = json.count("num_attention_heads", "n_head", "num_heads");
        int kvHeads = json.count("num_key_value_heads");
        JsonNode tie = json.get("tie_word_embeddings");
        if (tie != null && !tie.isBoolean() && !tie.isNull()) throw json.error("tie_word_embeddings", "tie_word_embeddings as true or false expected");
        return new HfConfig(
                json.text("model_type"),
                List.copyOf(architectures),
                json.count("hidden_size", "n_embd", "d_model"),
                json.count("num_hidden_layers", "n_layer", "num_layers"),
                heads,
                kvHeads >= 0 ? kvHeads : heads,
                json.count("intermediate_size", "n_inner", "ffn_dim"),
                json.count("vocab_size"),
                json.count("max_position_embeddings", "n_positions", "n_ctx"),
                json.text("hidden_act", "activation_function"),
                json.number("layer_norm_eps", "layer_norm_epsilon"),
                json.number("rms_norm_eps"),
                json.number("rope_theta"),
                json.text("torch_dtype", "dtype"),
                tie == null || tie.isNull() || tie.booleanValue(),
                JsonFields.plain(json.values()));
    }

    /** A field by name from the raw map, for what the record does not name. */
    public Object get(String name) {
        return raw.get(name);
    }
}
