package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufTokenizerMetadata;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Llama-style model folder in Hugging Face layout (config.json, model.safetensors, tokenizer.json) written
 * as a GGUF file that llama.cpp loads without warnings: llama.cpp's tensor names, q and k rows permuted for its
 * RoPE, the tokenizer as {@link GgufTokenizerMetadata} describes it, and the 2-D weights in F32, Q8_0 or Q4_0
 * (norms stay F32, as llama.cpp keeps them).
 *
 * <pre>{@code
 * GgufExport.llama(dir, DType.Q8_0, dir.resolve("sorter-q8_0.gguf"), "sorter", "apache-2.0");
 * List<Path> all = GgufExport.all(dir, "sorter", "apache-2.0");   // sorter-f32.gguf, -q8_0, -q4_0 beside the safetensors
 * }</pre>
 *
 * <p>An attention-only model (no {@code mlp.*} tensors) gets an MLP that is exactly zero. llama.cpp's "llama"
 * architecture requires {@code ffn_norm}, {@code ffn_gate}, {@code ffn_up} and {@code ffn_down} in every block
 * (a file without them fails with "missing tensor 'blk.0.ffn_norm.weight'", also with
 * {@code llama.feed_forward_length} 0), so they are written as zeros {@value #ZERO_MLP_WIDTH} wide: one whole
 * quantization block per row, and zero stays exactly zero in Q8_0 and Q4_0 (scale 0). Then
 * {@code down(silu(gate(x)) * up(x)) = 0} and each block adds only its attention to the residual stream.
 */
public final class GgufExport {
    /** The GGUF exports every shipped Llama-style model has, in this order. */
    public static final List<DType> TYPES = List.of(DType.F32, DType.Q8_0, DType.Q4_0);
    /** The width of the all-zero MLP of an attention-only model. */
    public static final int ZERO_MLP_WIDTH = 32;

    private GgufExport() {}

    /** {@code id-f32.gguf}, {@code id-q8_0.gguf}, {@code id-q4_0.gguf}. */
    public static String fileName(String id, DType type) {
        return id + "-" + type.name().toLowerCase(Locale.ROOT) + ".gguf";
    }

    /** Writes every type of {@link #TYPES} into {@code modelDir} as {@link #fileName}; returns the files in that order. */
    public static List<Path> all(Path modelDir, String id, String license) throws IOException {
        List<Path> files = new ArrayList<>();
        for (DType type : TYPES) {
            Path out = modelDir.resolve(fileName(id, type));
            llama(modelDir, type, out, id + " " + type, license);
            files.add(out);
        }
        return files;
    }

    /**
     * Writes the model in {@code modelDir} to {@code out} with its 2-D weights in {@code type} (F32, Q8_0 or Q4_0;
     * a matrix whose rows are not whole 32-value blocks stays F32). {@code name} and {@code license} go to
     * {@code general.name} and {@code general.license}.
     */
    public static void llama(Path modelDir, DType type, Path out, String name, String license) throws IOException {
        if (!TYPES.contains(type)) throw new IllegalArgumentException("a GGUF export type in " + TYPES + " expected, found " + type);
        HfConfig c = HfConfig.read(modelDir.resolve("config.json"));
        Map<String, GgufValue> tokenizer = GgufTokenizerMetadata.of(TokenizerJson.read(modelDir.resolve("tokenizer.json")));
        int d = c.hiddenSize(), heads = c.numAttentionHeads(), kvHeads = c.numKeyValueHeads(), layers = c.numHiddenLayers();
        if (d < 1 || heads < 1 || layers < 1 || d % heads != 0 || c.maxPositionEmbeddings() < 1) {
            throw new IllegalArgumentException(modelDir.resolve("config.json") + ": hidden_size, num_attention_heads, num_hidden_layers and"
                    + " max_position_embeddings expected, hidden_size a multiple of the heads; found " + d + ", " + heads + ", " + layers
                    + ", " + c.maxPositionEmbeddings());
        }
        try (ModelFile weights = ModelFiles.open(modelDir.resolve("model.safetensors"))) {
            boolean attentionOnly = weights.find("model.layers.0.mlp.gate_proj.weight").isEmpty();
            int mlp = attentionOnly ? ZERO_MLP_WIDTH : c.intermediateSize();
            int vocab = (int) weights.tensor("model.embed_tokens.weight").shape().dim(0);
            int tokens = tokenizer.get("tokenizer.ggml.tokens").length();
            if (tokens != vocab) {
                throw new IllegalArgumentException(modelDir + ": tokenizer.json has " + tokens + " tokens but the embedding table "
                        + vocab + " rows; llama.cpp needs one row per token");
            }
            List<Tensor> tensors = new ArrayList<>();
            tensors.add(weight(weights, "model.embed_tokens.weight", type, 0));
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                tensors.add(weight(weights, p + "input_layernorm.weight", type, 0));
                tensors.add(weight(weights, p + "self_attn.q_proj.weight", type, heads));
                tensors.add(weight(weights, p + "self_attn.k_proj.weight", type, kvHeads));
                tensors.add(weight(weights, p + "self_attn.v_proj.weight", type, 0));
                tensors.add(weight(weights, p + "self_attn.o_proj.weight", type, 0));
                if (attentionOnly) {
                    String b = "blk." + l + ".";
                    tensors.add(weights.find(p + "post_attention_layernorm.weight").isPresent()
                            ? weight(weights, p + "post_attention_layernorm.weight", type, 0)
                            : Tensor.of(b + "ffn_norm.weight", DType.F32, Shape.of(d), filled(d, 1f)));
                    tensors.add(Tensor.of(b + "ffn_gate.weight", type, Shape.of(mlp, d), new float[mlp * d]));   // (mlp, d) zeros
                    tensors.add(Tensor.of(b + "ffn_up.weight", type, Shape.of(mlp, d), new float[mlp * d]));
                    tensors.add(Tensor.of(b + "ffn_down.weight", stored(type, mlp), Shape.of(d, mlp), new float[d * mlp]));
                } else {
                    tensors.add(weight(weights, p + "post_attention_layernorm.weight", type, 0));
                    tensors.add(weight(weights, p + "mlp.gate_proj.weight", type, 0));
                    tensors.add(weight(weights, p + "mlp.up_proj.weight", type, 0));
                    tensors.add(weight(weights, p + "mlp.down_proj.weight", type, 0));
                }
            }
            tensors.add(weight(weights, "model.norm.weight", type, 0));
            if (weights.find("lm_head.weight").isPresent()) tensors.add(weight(weights, "lm_head.weight", type, 0));   // else tied: llama.cpp reads token_embd

            Map<String, GgufValue> m = new LinkedHashMap<>();
            m.put("general.architecture", GgufValue.string("llama"));
            m.put("general.name", GgufValue.string(name));
            m.put("general.license", GgufValue.string(license));
            m.put("general.file_type", GgufValue.uint32(fileType(type)));
            m.put("llama.context_length", GgufValue.uint32(c.maxPositionEmbeddings()));
            m.put("llama.embedding_length", GgufValue.uint32(d));
            m.put("llama.block_count", GgufValue.uint32(layers));
            m.put("llama.feed_forward_length", GgufValue.uint32(mlp));
            m.put("llama.attention.head_count", GgufValue.uint32(heads));
            m.put("llama.attention.head_count_kv", GgufValue.uint32(kvHeads));
            m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32((float) (Double.isNaN(c.rmsNormEps()) ? 1e-6 : c.rmsNormEps())));
            m.put("llama.rope.freq_base", GgufValue.float32((float) (Double.isNaN(c.ropeTheta()) ? 10000 : c.ropeTheta())));
            m.put("llama.rope.dimension_count", GgufValue.uint32(d / heads));
            m.put("llama.vocab_size", GgufValue.uint32(vocab));
            m.putAll(tokenizer);
            Files.createDirectories(out.toAbsolutePath().getParent());
            GgufWriter.write(out, m, tensors);
        }
    }

    /**
     * One tensor under its llama.cpp name: 2-D ones in {@code type}, others F32. {@code permuteHeads} > 0 marks a
     * q or k projection of that many heads, whose rows are permuted for llama.cpp's RoPE.
     */
    private static Tensor weight(ModelFile file, String hfName, DType type, int permuteHeads) {
        Tensor t = file.tensor(hfName);
        float[] values = t.toFloatArray();
        if (permuteHeads > 0) values = permuteForGguf(values, permuteHeads, (int) t.shape().dim(1));
        DType stored = t.shape().rank() == 2 ? stored(type, (int) t.shape().dim(1)) : DType.F32;
        return Tensor.of(ggufName(hfName), stored, t.shape(), values);
    }

    /** {@code type}, unless rows of {@code cols} values are not whole quantization blocks: then F32. */
    private static DType stored(DType type, int cols) {
        return cols % type.blockSize() == 0 ? type : DType.F32;
    }

    /** llama.cpp's {@code general.file_type}: 0 all F32, 7 mostly Q8_0, 2 mostly Q4_0. */
    private static int fileType(DType type) {
        return switch (type) {
            case F32 -> 0;
            case Q8_0 -> 7;
            case Q4_0 -> 2;
            default -> throw new IllegalArgumentException("no GGUF file type for " + type);
        };
    }

    /**
     * The rows of a q or k projection (heads * dHead, cols) reordered the way llama.cpp's converter does:
     * within each head, row {@code half * dHead/2 + i} moves to {@code 2i + half}. Hugging Face's RoPE rotates
     * the pairs (i, i + dHead/2); after this move they sit side by side, where llama.cpp's RoPE rotates them.
     */
    static float[] permuteForGguf(float[] w, int heads, int cols) {
        int dHead = w.length / cols / heads, halfHead = dHead / 2;
        float[] out = new float[w.length];
        for (int h = 0; h < heads; h++) {
            for (int half = 0; half < 2; half++) {
                for (int i = 0; i < halfHead; i++) {
                    int from = h * dHead + half * halfHead + i, to = h * dHead + 2 * i + half;
                    System.arraycopy(w, from * cols, out, to * cols, cols);
                }
            }
        }
        return out;
    }

    /** The llama.cpp name of a Hugging Face Llama tensor name. */
    static String ggufName(String hf) {
        return hf.replace("model.embed_tokens.weight", "token_embd.weight")
                .replace("model.norm.weight", "output_norm.weight")
                .replace("lm_head.weight", "output.weight")
                .replace("model.layers.", "blk.")
                .replace("input_layernorm", "attn_norm")
                .replace("post_attention_layernorm", "ffn_norm")
                .replace("self_attn.q_proj", "attn_q")
                .replace("self_attn.k_proj", "attn_k")
                .replace("self_attn.v_proj", "attn_v")
                .replace("self_attn.o_proj", "attn_output")
                .replace("mlp.gate_proj", "ffn_gate")
                .replace("mlp.up_proj", "ffn_up")
                .replace("mlp.down_proj", "ffn_down");
    }

    private static float[] filled(int n, float value) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
