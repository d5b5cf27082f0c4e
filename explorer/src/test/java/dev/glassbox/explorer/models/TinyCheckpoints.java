package dev.glassbox.explorer.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufType;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Small random checkpoints with fixed seeds, written with Glassbox's own writers in the layouts the real
 * tools produce: a Hugging Face Llama ({@code config.json} + {@code model.safetensors}, nn.Linear weights
 * (out, in)), its llama.cpp-style GGUF export (Q and K rows permuted as {@code convert_hf_to_gguf.py} does),
 * and a Hugging Face GPT-2 (Conv1D weights (in, out), head tied to {@code wte}).
 *
 * <p>Weight scales keep every activation O(1), so the logits are neither flat nor saturated:
 * <pre>
 * embeddings                      N(0, 1)           the residual stream starts with RMS 1 (GPT-2: N(0, 0.5^2))
 * a matrix read by a norm's output N(0, 1/in)        unit-RMS input -> unit-variance output (q, k, v, gate, up, c_attn, c_fc)
 * a matrix writing the residual   N(0, 1/in)        o_proj, down_proj, c_proj: each block adds O(1)
 * norm gains                      1 + N(0, 0.1^2)   not all ones, so a skipped or misplaced gain shows
 * GPT-2 ln_f gains                +-(1 + N(0, 0.1^2)), alternating (see below)
 * Llama lm_head (untied)          2.5/sqrt(dim) * (N(0, 1) + habit * embed[v - 1])
 * </pre>
 * With q and k of unit variance per component the attention scores q.k/sqrt(head_dim) have standard
 * deviation about 1: the attention pattern is neither uniform nor one-hot, so RoPE and masking matter.
 *
 * <p>Why the Llama head has a planted habit ("after token t comes t + 1", row v of lm_head leaning towards
 * the embedding of v - 1): with a purely random head the logits over the vocabulary are close to Gaussian,
 * and the top two of 96 Gaussians are typically only ~0.3 standard deviations apart, while a Q8_0 export
 * moves the logits by ~1% of their spread (measured: ~0.03 rms, up to ~0.12, from embeddings and head most).
 * So one greedy step in ten is a coin toss between F32 and Q8_0, and scaling weights cannot help: margin and
 * error scale together. The habit gives the winner a clear lead more often, yet leaves room for the context:
 * with the default seed and {@code habit} 0.75, 3 of 8 greedy steps on the reference prompt pick a token other
 * than t + 1 ({@code ReferenceTest} asserts the margins).
 *
 * <p>Why GPT-2's ln_f gains alternate in sign: its head is wte, and the residual stream still holds wte[t], so
 * with positive gains the logit of the current token gets +|wte[t]|^2 and greedy decoding soon repeats one
 * token forever. Alternating signs cancel that term on average; the default continuation then varies.
 */
public final class TinyCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TinyCheckpoints() {}

    /**
     * The shape of a tiny Hugging Face Llama; {@link #DEFAULT} has grouped-query attention (4 query heads share
     * 2 kv heads). {@code habit} is the strength of the planted "t -> t + 1" direction in an untied head
     * (0 for a purely random head; see the class comment).
     */
    public record LlamaSpec(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int context,
                            double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings, double habit, long seed) {
        public static final LlamaSpec DEFAULT = new LlamaSpec(64, 2, 4, 2, 160, 96, 64, 1e-5, 10000.0, false, 0.75, 1);

        public LlamaSpec {
            if (hidden % heads != 0 || (hidden / heads) % 2 != 0) {
                throw new IllegalArgumentException("hidden " + hidden + " must split into " + heads + " heads of even size");
            }
            if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads must be a multiple of " + kvHeads + " kv heads");
        }

        public int headDim() { return hidden / heads; }

        public LlamaSpec withTiedEmbeddings(boolean tied) {
            return new LlamaSpec(hidden, layers, heads, kvHeads, intermediate, vocab, context, rmsNormEps, ropeTheta, tied, habit, seed);
        }

        public LlamaSpec withSeed(long newSeed) {
            return new LlamaSpec(hidden, layers, heads, kvHeads, intermediate, vocab, context, rmsNormEps, ropeTheta, tieWordEmbeddings, habit, newSeed);
        }

        public LlamaSpec withKvHeads(int newKvHeads) {
            return new LlamaSpec(hidden, layers, heads, newKvHeads, intermediate, vocab, context, rmsNormEps, ropeTheta, tieWordEmbeddings, habit, seed);
        }
    }

    /** The shape of a tiny Hugging Face GPT-2 (MLP width 4 * embd, as {@code n_inner: null} means). */
    public record Gpt2Spec(int embd, int layers, int heads, int vocab, int positions, double layerNormEps, long seed) {
        public static final Gpt2Spec DEFAULT = new Gpt2Spec(48, 2, 4, 80, 64, 1e-5, 1);

        public Gpt2Spec {
            if (embd % heads != 0) throw new IllegalArgumentException("n_embd " + embd + " must split into " + heads + " heads");
        }

        public Gpt2Spec withSeed(long newSeed) {
            return new Gpt2Spec(embd, layers, heads, vocab, positions, layerNormEps, newSeed);
        }
    }

    // ---------------------------------------------------------------- Llama

    /** Writes {@code config.json} and {@code model.safetensors} of a random Llama into {@code dir}; returns {@code dir}. */
    public static Path llama(Path dir, LlamaSpec spec) throws IOException {
        return llama(dir, spec, Map.of());
    }

    /** As {@link #llama(Path, LlamaSpec)}, with some tensors (by Hugging Face name) given instead of drawn. */
    public static Path llama(Path dir, LlamaSpec spec, Map<String, float[]> given) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(spec.seed());
        int d = spec.hidden(), kv = spec.kvHeads() * spec.headDim(), f = spec.intermediate();
        List<Tensor> tensors = new ArrayList<>();
        Weights w = new Weights(tensors, random, given);
        float[] embed = w.normal("model.embed_tokens.weight", 1.0, spec.vocab(), d);   // (vocab, dim)
        for (int l = 0; l < spec.layers(); l++) {
            String p = "model.layers." + l + ".";
            w.gain(p + "input_layernorm.weight", d);                                    // (dim,)
            w.normal(p + "self_attn.q_proj.weight", 1 / Math.sqrt(d), d, d);            // (heads * head_dim, dim)
            w.normal(p + "self_attn.k_proj.weight", 1 / Math.sqrt(d), kv, d);           // (kv_heads * head_dim, dim)
            w.normal(p + "self_attn.v_proj.weight", 1 / Math.sqrt(d), kv, d);           // (kv_heads * head_dim, dim)
            w.normal(p + "self_attn.o_proj.weight", 1 / Math.sqrt(d), d, d);            // (dim, heads * head_dim)
            w.gain(p + "post_attention_layernorm.weight", d);                           // (dim,)
            w.normal(p + "mlp.gate_proj.weight", 1 / Math.sqrt(d), f, d);               // (intermediate, dim)
            w.normal(p + "mlp.up_proj.weight", 1 / Math.sqrt(d), f, d);                 // (intermediate, dim)
            w.normal(p + "mlp.down_proj.weight", 1 / Math.sqrt(f), d, f);               // (dim, intermediate)
        }
        w.gain("model.norm.weight", d);                                                  // (dim,)
        if (!spec.tieWordEmbeddings()) {
            // 2.5/sqrt(dim) * (N(0, 1) + habit * embed[v - 1]): (vocab, dim)
            w.normal("lm_head.weight", 2.5 / Math.sqrt(d), (v, i) -> 2.5 / Math.sqrt(d) * spec.habit()
                    * embed[Math.floorMod(v - 1, spec.vocab()) * d + i], spec.vocab(), d);
        }
        w.checkAllGivenUsed();
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), tensors);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("model_type", "llama");
        config.put("hidden_size", spec.hidden());
        config.put("intermediate_size", spec.intermediate());
        config.put("num_hidden_layers", spec.layers());
        config.put("num_attention_heads", spec.heads());
        config.put("num_key_value_heads", spec.kvHeads());
        config.put("vocab_size", spec.vocab());
        config.put("max_position_embeddings", spec.context());
        config.put("rms_norm_eps", spec.rmsNormEps());
        config.put("rope_theta", spec.ropeTheta());
        config.put("tie_word_embeddings", spec.tieWordEmbeddings());
        config.put("hidden_act", "silu");
        config.put("attention_bias", false);
        config.put("mlp_bias", false);
        config.put("rope_scaling", null);
        config.put("bos_token_id", 1);
        config.put("eos_token_id", 2);
        config.put("torch_dtype", "float32");
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config), StandardCharsets.UTF_8);
        return dir;
    }

    /**
     * Exports the Llama in {@code safetensorsDir} (config.json + model.safetensors) as GGUF v3 the way
     * llama.cpp's {@code convert_hf_to_gguf.py} does, into {@code safetensorsDir/model-<type>.gguf}:
     * llama.cpp tensor names, 2-D weights stored as {@code type} (F32, Q8_0 or Q4_0) and 1-D norms as F32,
     * and the rows of attn_q and attn_k permuted per head (see {@link #permuteForGguf}) so that llama.cpp's
     * RoPE on adjacent pairs computes what Hugging Face's rotate_half computes on the original rows.
     * A tied head is left out, as llama.cpp's converter does; llama.cpp then reads token_embd twice.
     */
    public static Path llamaGguf(Path safetensorsDir, DType type) throws IOException {
        if (type != DType.F32 && type != DType.Q8_0 && type != DType.Q4_0) {
            throw new IllegalArgumentException("GGUF export as F32, Q8_0 or Q4_0 expected, found " + type);
        }
        HfConfig config = HfConfig.read(safetensorsDir.resolve("config.json"));
        int heads = config.numAttentionHeads(), kvHeads = config.numKeyValueHeads(), headDim = config.hiddenSize() / heads;
        Path out = safetensorsDir.resolve("model-" + type.name().toLowerCase(Locale.ROOT) + ".gguf");
        List<Tensor> tensors = new ArrayList<>();
        try (ModelFile file = ModelFiles.open(safetensorsDir.resolve("model.safetensors"))) {
            for (Tensor t : file.tensors()) {
                float[] values = t.toFloatArray();
                if (t.name().endsWith("self_attn.q_proj.weight")) values = permuteForGguf(values, heads, headDim, (int) t.rowLength());
                if (t.name().endsWith("self_attn.k_proj.weight")) values = permuteForGguf(values, kvHeads, headDim, (int) t.rowLength());
                DType stored = t.shape().rank() == 2 ? type : DType.F32;
                tensors.add(Tensor.of(ggufName(t.name()), stored, t.shape(), values));
            }
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("general.name", GgufValue.string("tiny-checkpoint-llama"));
        m.put("general.file_type", GgufValue.uint32(switch (type) {            // enum llama_ftype
            case F32 -> 0;
            case Q4_0 -> 2;
            default -> 7;                                                      // Q8_0
        }));
        m.put("llama.context_length", GgufValue.uint32(config.maxPositionEmbeddings()));
        m.put("llama.embedding_length", GgufValue.uint32(config.hiddenSize()));
        m.put("llama.block_count", GgufValue.uint32(config.numHiddenLayers()));
        m.put("llama.feed_forward_length", GgufValue.uint32(config.intermediateSize()));
        m.put("llama.attention.head_count", GgufValue.uint32(heads));
        m.put("llama.attention.head_count_kv", GgufValue.uint32(kvHeads));
        m.put("llama.attention.layer_norm_rms_epsilon", GgufValue.float32((float) config.rmsNormEps()));
        m.put("llama.rope.freq_base", GgufValue.float32((float) config.ropeTheta()));
        m.put("llama.rope.dimension_count", GgufValue.uint32(headDim));
        m.put("llama.vocab_size", GgufValue.uint32(config.vocabSize()));
        tokenizer(m, config.vocabSize());
        GgufWriter.write(out, m, tensors);
        return out;
    }

    /**
     * llama.cpp's Q/K permutation ({@code LlamaModel.permute} in {@code convert_hf_to_gguf.py}:
     * {@code w.reshape(n_head, 2, rows // n_head // 2, in).swapaxes(1, 2).reshape(w.shape)}), on a row-major
     * (n_head * head_dim, in) matrix. Within each head, Hugging Face rows [x_0 .. x_{d/2-1} | x_{d/2} .. x_{d-1}]
     * (rotate_half pairs x_i with x_{i+d/2}) become [x_0, x_{d/2}, x_1, x_{d/2+1}, ...] (llama.cpp pairs
     * x_{2i} with x_{2i+1}):
     * <pre>out row h*d + 2i + s = in row h*d + s*(d/2) + i      (s = 0, 1; i < d/2)</pre>
     */
    public static float[] permuteForGguf(float[] w, int nHead, int headDim, int in) {
        if (w.length != nHead * headDim * in) {
            throw new IllegalArgumentException(nHead + " heads x " + headDim + " x " + in + " values expected, found " + w.length);
        }
        float[] out = new float[w.length];
        int half = headDim / 2;
        for (int h = 0; h < nHead; h++) {
            for (int i = 0; i < half; i++) {
                for (int s = 0; s < 2; s++) {
                    int to = h * headDim + 2 * i + s, from = h * headDim + s * half + i;
                    System.arraycopy(w, from * in, out, to * in, in);
                }
            }
        }
        return out;
    }

    /** The llama.cpp name of a Hugging Face Llama tensor. */
    public static String ggufName(String hf) {
        if (hf.equals("model.embed_tokens.weight")) return "token_embd.weight";
        if (hf.equals("model.norm.weight")) return "output_norm.weight";
        if (hf.equals("lm_head.weight")) return "output.weight";
        String prefix = "model.layers.";
        if (!hf.startsWith(prefix)) throw new IllegalArgumentException("not a Llama tensor name: " + hf);
        int dot = hf.indexOf('.', prefix.length());
        String block = hf.substring(prefix.length(), dot);
        String rest = switch (hf.substring(dot + 1)) {
            case "input_layernorm.weight" -> "attn_norm.weight";
            case "self_attn.q_proj.weight" -> "attn_q.weight";
            case "self_attn.k_proj.weight" -> "attn_k.weight";
            case "self_attn.v_proj.weight" -> "attn_v.weight";
            case "self_attn.o_proj.weight" -> "attn_output.weight";
            case "post_attention_layernorm.weight" -> "ffn_norm.weight";
            case "mlp.gate_proj.weight" -> "ffn_gate.weight";
            case "mlp.up_proj.weight" -> "ffn_up.weight";
            case "mlp.down_proj.weight" -> "ffn_down.weight";
            default -> throw new IllegalArgumentException("not a Llama tensor name: " + hf);
        };
        return "blk." + block + "." + rest;
    }

    /**
     * A minimal SentencePiece-style vocabulary in the GGUF metadata: {@code <unk>}, {@code <s>}, {@code </s>},
     * then one printable ASCII character per token from the space (written {@code ▁}) upwards, then {@code <tokN>}.
     */
    private static void tokenizer(Map<String, GgufValue> m, int vocab) {
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];                                   // 1 normal, 2 unknown, 3 control
        for (int i = 0; i < vocab; i++) {
            tokens[i] = switch (i) {
                case 0 -> "<unk>";
                case 1 -> "<s>";
                case 2 -> "</s>";
                default -> i == 3 ? "\u2581" : ' ' + i - 3 <= '~' ? String.valueOf((char) (' ' + i - 3)) : "<tok" + i + ">";
            };
            scores[i] = i < 3 ? 0f : -i;
            types[i] = i == 0 ? 2 : i < 3 ? 3 : 1;
        }
        m.put("tokenizer.ggml.model", GgufValue.string("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.strings(Arrays.asList(tokens)));
        m.put("tokenizer.ggml.scores", GgufValue.floats(scores));
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufType.INT32, types));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(0));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(1));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(2));
    }

    // ---------------------------------------------------------------- GPT-2

    /** Writes {@code config.json} and {@code model.safetensors} of a random GPT-2 into {@code dir}; returns {@code dir}. */
    public static Path gpt2(Path dir, Gpt2Spec spec) throws IOException {
        return gpt2(dir, spec, Map.of());
    }

    /**
     * As {@link #gpt2(Path, Gpt2Spec)}, with some tensors (by Hugging Face name) given instead of drawn.
     * Conv1D weights are (in, out): y = x @ W + b. The file has no lm_head.weight: GPT-2's head is wte.
     */
    public static Path gpt2(Path dir, Gpt2Spec spec, Map<String, float[]> given) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(spec.seed());
        int e = spec.embd();
        List<Tensor> tensors = new ArrayList<>();
        Weights w = new Weights(tensors, random, given);
        w.normal("wte.weight", 0.5, spec.vocab(), e);                                    // (vocab, embd)
        w.normal("wpe.weight", 0.5, spec.positions(), e);                                // (positions, embd)
        for (int l = 0; l < spec.layers(); l++) {
            String p = "h." + l + ".";
            w.gain(p + "ln_1.weight", e);                                                 // (embd,)
            w.normal(p + "ln_1.bias", 0.1, e);
            w.normal(p + "attn.c_attn.weight", 1 / Math.sqrt(e), e, 3 * e);               // (embd, 3 * embd): q | k | v
            w.normal(p + "attn.c_attn.bias", 0.1, 3 * e);
            w.normal(p + "attn.c_proj.weight", 1 / Math.sqrt(e), e, e);                   // (embd, embd)
            w.normal(p + "attn.c_proj.bias", 0.1, e);
            w.gain(p + "ln_2.weight", e);
            w.normal(p + "ln_2.bias", 0.1, e);
            w.normal(p + "mlp.c_fc.weight", 1 / Math.sqrt(e), e, 4 * e);                 // (embd, 4 * embd)
            w.normal(p + "mlp.c_fc.bias", 0.1, 4 * e);
            w.normal(p + "mlp.c_proj.weight", 1 / Math.sqrt(4 * e), 4 * e, e);           // (4 * embd, embd)
            w.normal(p + "mlp.c_proj.bias", 0.1, e);
        }
        w.signedGain("ln_f.weight", e);
        w.normal("ln_f.bias", 0.1, e);
        w.checkAllGivenUsed();
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), tensors);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("GPT2LMHeadModel"));
        config.put("model_type", "gpt2");
        config.put("n_embd", spec.embd());
        config.put("n_layer", spec.layers());
        config.put("n_head", spec.heads());
        config.put("n_positions", spec.positions());
        config.put("n_ctx", spec.positions());
        config.put("n_inner", null);
        config.put("vocab_size", spec.vocab());
        config.put("layer_norm_epsilon", spec.layerNormEps());
        config.put("activation_function", "gelu_new");
        config.put("scale_attn_weights", true);
        config.put("bos_token_id", spec.vocab() - 1);
        config.put("eos_token_id", spec.vocab() - 1);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config), StandardCharsets.UTF_8);
        return dir;
    }

    /** A deterministic term added to a drawn value at (row, col). */
    private interface Plus {
        double at(int row, int col);
    }

    /** Draws tensors in a fixed order from one generator, or takes the given ones (the draws happen either way, so the others do not move). */
    private record Weights(List<Tensor> out, Random random, Map<String, float[]> given, List<String> used) {
        Weights(List<Tensor> out, Random random, Map<String, float[]> given) {
            this(out, random, given, new ArrayList<>());
        }

        /** N(0, std^2) values; returns what was stored (drawn or given). */
        float[] normal(String name, double std, int... dims) {
            return normal(name, std, (row, col) -> 0, dims);
        }

        /** N(0, std^2) + plus(row, col) for a (rows, cols) matrix or a vector (row 0). */
        float[] normal(String name, double std, Plus plus, int... dims) {
            float[] values = new float[Math.toIntExact(Shape.of(toLongs(dims)).elementCount())];
            int cols = dims[dims.length - 1];
            for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * std + plus.at(i / cols, i % cols));
            return add(name, values, dims);
        }

        /** +-(1 + N(0, 0.1^2)), the sign alternating: a norm gain of magnitude near one. */
        void signedGain(String name, int n) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) ((i % 2 == 0 ? 1 : -1) * (1 + 0.1 * random.nextGaussian()));
            add(name, values, n);
        }

        /** 1 + N(0, 0.1^2): a norm gain near one. */
        void gain(String name, int n) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = (float) (1 + 0.1 * random.nextGaussian());
            add(name, values, n);
        }

        private float[] add(String name, float[] drawn, int... dims) {
            float[] values = drawn;
            if (given.containsKey(name)) {
                values = given.get(name);
                if (values.length != drawn.length) {
                    throw new IllegalArgumentException(name + ": " + drawn.length + " values expected for " + Arrays.toString(dims) + ", given " + values.length);
                }
                used.add(name);
            }
            out.add(Tensor.of(name, DType.F32, Shape.of(toLongs(dims)), values));
            return values;
        }

        void checkAllGivenUsed() {
            for (String name : given.keySet()) {
                if (!used.contains(name)) throw new IllegalArgumentException("given tensor " + name + " is not a tensor of this model");
            }
        }

        private static long[] toLongs(int[] dims) {
            return Arrays.stream(dims).asLongStream().toArray();
        }
    }
}
