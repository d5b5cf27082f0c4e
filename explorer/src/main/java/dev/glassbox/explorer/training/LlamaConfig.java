package dev.glassbox.explorer.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glassbox.explorer.formats.hf.HfConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a trainable Llama-style decoder, with the meaning of Hugging Face's {@code LlamaConfig}.
 *
 * @param dMlp           the SwiGLU MLP's hidden width ({@code intermediate_size}); 0 for an attention-only model
 * @param context        the longest sequence the model is trained on ({@code max_position_embeddings})
 * @param tiedEmbeddings the head reuses the embedding table ({@code tie_word_embeddings}): no {@code lm_head.weight}
 */
public record LlamaConfig(int vocab, int dModel, int layers, int heads, int kvHeads, int dMlp, int context,
                          double ropeTheta, double rmsEps, boolean tiedEmbeddings) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public LlamaConfig {
        if (vocab < 1 || dModel < 1 || layers < 1 || heads < 1 || kvHeads < 1 || dMlp < 0 || context < 1) {
            throw new IllegalArgumentException("positive sizes expected (d_mlp may be 0), found vocab " + vocab + ", d_model " + dModel
                    + ", layers " + layers + ", heads " + heads + ", kv heads " + kvHeads + ", d_mlp " + dMlp + ", context " + context);
        }
        if (dModel % heads != 0 || (dModel / heads) % 2 != 0) {
            throw new IllegalArgumentException("d_model " + dModel + " must split into " + heads + " heads of even size (RoPE turns pairs)");
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads (" + heads + ") a multiple of kv heads (" + kvHeads + ") expected");
        if (!(ropeTheta > 0) || !(rmsEps > 0)) throw new IllegalArgumentException("positive rope_theta and rms_norm_eps expected, found " + ropeTheta + ", " + rmsEps);
    }

    public int dHead() { return dModel / heads; }

    public int kvDim() { return kvHeads * dHead(); }

    public boolean hasMlp() { return dMlp > 0; }

    /** The config.json of a Hugging Face {@code LlamaForCausalLM} with this shape, as an ordered map. */
    public Map<String, Object> toHf() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("vocab_size", vocab);
        m.put("hidden_size", dModel);
        m.put("intermediate_size", dMlp);
        m.put("num_hidden_layers", layers);
        m.put("num_attention_heads", heads);
        m.put("num_key_value_heads", kvHeads);
        m.put("max_position_embeddings", context);
        m.put("rms_norm_eps", rmsEps);
        m.put("rope_theta", ropeTheta);
        m.put("tie_word_embeddings", tiedEmbeddings);
        m.put("hidden_act", "silu");
        m.put("attention_bias", false);
        m.put("mlp_bias", false);
        m.put("torch_dtype", "float32");
        return m;
    }

    /** Writes {@link #toHf()} to {@code file}. */
    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toHf()) + "\n");
    }

    /** Reads a Hugging Face Llama config.json (missing rope_theta 10000, rms_norm_eps 1e-6, as transformers). */
    public static LlamaConfig read(Path file) throws IOException {
        HfConfig c = HfConfig.read(file);
        if (c.vocabSize() < 1 || c.hiddenSize() < 1 || c.numHiddenLayers() < 1 || c.numAttentionHeads() < 1 || c.intermediateSize() < 0) {
            throw new IllegalArgumentException(file.getFileName() + ": vocab_size, hidden_size, num_hidden_layers, num_attention_heads and "
                    + "intermediate_size expected, found " + c.vocabSize() + ", " + c.hiddenSize() + ", " + c.numHiddenLayers() + ", "
                    + c.numAttentionHeads() + ", " + c.intermediateSize());
        }
        return new LlamaConfig(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.numKeyValueHeads(),
                c.intermediateSize(), c.maxPositionEmbeddings() < 1 ? 2048 : c.maxPositionEmbeddings(),
                Double.isNaN(c.ropeTheta()) ? 10000 : c.ropeTheta(), Double.isNaN(c.rmsNormEps()) ? 1e-6 : c.rmsNormEps(),
                c.tieWordEmbeddings());
    }
}
