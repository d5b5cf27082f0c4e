package dev.glassbox.explorer.models.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test oracle for Llama-style decoders: Hugging Face's {@code LlamaForCausalLM} forward pass written
 * as plainly as possible, in double precision, with plain loops and no project kernels. It reads either a
 * Hugging Face checkpoint (config.json + model.safetensors) or a llama.cpp GGUF file; for GGUF it does not
 * undo the converter's Q/K row permutation but rotates adjacent pairs, as llama.cpp does, which must give
 * the same logits.
 *
 * <p>Per layer, for every position t (x is the residual stream, (dim,)):
 * <pre>
 * h = rmsnorm(x) * g_attn                     rmsnorm(x) = x / sqrt(mean(x^2) + eps)
 * q = Wq h, k = Wk h, v = Wv h                (heads*hd,), (kv_heads*hd,), (kv_heads*hd,)
 * q, k = rope(q, t), rope(k, t)               angle of pair i: t * theta^(-2i/hd)
 * o_head = sum_{u <= t} softmax_u(q_head . k_kv(u) / sqrt(hd)) v_kv(u)     kv = head / (heads / kv_heads)
 * x = x + Wo o
 * h = rmsnorm(x) * g_ffn
 * x = x + Wdown (silu(Wgate h) * Wup h)       silu(z) = z / (1 + e^-z)
 * </pre>
 * then logits = Whead (rmsnorm(x) * g_final), Whead = the embedding matrix when tied.
 */
public final class ReferenceLlama {
    /** The hyperparameters the forward pass needs. */
    public record Config(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int context,
                         double rmsNormEps, double ropeTheta) {
        public int headDim() { return hidden / heads; }
    }

    /** Which components RoPE rotates together within a head of size hd. */
    public enum Rope {
        /** Hugging Face's rotate_half: x_i with x_{i + hd/2}. */
        HALVES,
        /** llama.cpp's LLAMA_ROPE_TYPE_NORM: x_{2i} with x_{2i+1} (on rows permuted by the converter). */
        PAIRS
    }

    /** One decoder layer; matrices are nn.Linear (out, in), indexed [out][in]. */
    private record Layer(double[] attnNorm, double[][] wq, double[][] wk, double[][] wv, double[][] wo,
                         double[] ffnNorm, double[][] gate, double[][] up, double[][] down) {}

    private final Config config;
    private final Rope rope;
    private final double[][] embed;     // (vocab, dim)
    private final List<Layer> layers;
    private final double[] finalNorm;   // (dim,)
    private final double[][] head;      // (vocab, dim)

    private ReferenceLlama(Config config, Rope rope, double[][] embed, List<Layer> layers, double[] finalNorm, double[][] head) {
        this.config = config;
        this.rope = rope;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
    }

    public Config config() { return config; }

    public Rope rope() { return rope; }

    /** Reads a Hugging Face Llama checkpoint: {@code dir/config.json} and {@code dir/model.safetensors}. */
    public static ReferenceLlama fromSafetensors(Path dir) throws IOException {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
        int hidden = json.get("hidden_size").intValue();
        int heads = json.get("num_attention_heads").intValue();
        int kvHeads = json.path("num_key_value_heads").isInt() ? json.get("num_key_value_heads").intValue() : heads;
        Config config = new Config(hidden, json.get("num_hidden_layers").intValue(), heads, kvHeads,
                json.get("intermediate_size").intValue(), json.get("vocab_size").intValue(),
                json.get("max_position_embeddings").intValue(), json.get("rms_norm_eps").doubleValue(),
                json.path("rope_theta").isNumber() ? json.get("rope_theta").doubleValue() : 10000.0);
        // What this oracle does not implement must not be silently ignored.
        require(json.path("hidden_act").asText("silu").equals("silu"), "hidden_act silu", json.path("hidden_act"));
        require(json.path("rope_scaling").isMissingNode() || json.path("rope_scaling").isNull(), "rope_scaling null", json.path("rope_scaling"));
        require(!json.path("attention_bias").asBoolean(false), "attention_bias false", json.path("attention_bias"));
        require(!json.path("mlp_bias").asBoolean(false), "mlp_bias false", json.path("mlp_bias"));
        require(json.path("head_dim").isMissingNode() || json.path("head_dim").isNull() || json.get("head_dim").intValue() == hidden / heads,
                "head_dim = hidden_size / num_attention_heads", json.path("head_dim"));
        boolean tied = json.path("tie_word_embeddings").asBoolean(false);             // LlamaConfig's default is false

        try (ModelFile file = ModelFiles.open(dir.resolve("model.safetensors"))) {
            Weights w = new Weights(file);
            int d = config.hidden(), q = config.heads() * config.headDim(), kv = config.kvHeads() * config.headDim(), f = config.intermediate();
            double[][] embed = w.matrix("model.embed_tokens.weight", config.vocab(), d);
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < config.layers(); l++) {
                String p = "model.layers." + l + ".";
                layers.add(new Layer(
                        w.vector(p + "input_layernorm.weight", d),
                        w.matrix(p + "self_attn.q_proj.weight", q, d),
                        w.matrix(p + "self_attn.k_proj.weight", kv, d),
                        w.matrix(p + "self_attn.v_proj.weight", kv, d),
                        w.matrix(p + "self_attn.o_proj.weight", d, q),
                        w.vector(p + "post_attention_layernorm.weight", d),
                        w.matrix(p + "mlp.gate_proj.weight", f, d),
                        w.matrix(p + "mlp.up_proj.weight", f, d),
                        w.matrix(p + "mlp.down_proj.weight", d, f)));
            }
            double[] norm = w.vector("model.norm.weight", d);
            double[][] head = tied ? embed : w.matrix("lm_head.weight", config.vocab(), d);
            return new ReferenceLlama(config, Rope.HALVES, embed, layers, norm, head);
        }
    }

    /**
     * Reads a llama.cpp GGUF file (architecture llama), dequantizing every tensor through Glassbox's
     * tensor reader. attn_q and attn_k are used as stored (rows permuted by the converter) and RoPE rotates
     * adjacent pairs. Without output.weight the head is token_embd, as in llama.cpp.
     */
    public static ReferenceLlama fromGguf(Path file) throws IOException {
        try (ModelFile gguf = ModelFiles.open(file)) {
            String arch = meta(gguf, "general.architecture").asString();
            require(arch.equals("llama"), "general.architecture llama", arch);
            int hidden = (int) meta(gguf, "llama.embedding_length").asLong();
            int heads = (int) meta(gguf, "llama.attention.head_count").asLong();
            int kvHeads = gguf.metadata().containsKey("llama.attention.head_count_kv")
                    ? (int) meta(gguf, "llama.attention.head_count_kv").asLong() : heads;
            int ropeDims = gguf.metadata().containsKey("llama.rope.dimension_count")
                    ? (int) meta(gguf, "llama.rope.dimension_count").asLong() : hidden / heads;
            require(ropeDims == hidden / heads, "llama.rope.dimension_count = head size " + hidden / heads, ropeDims);
            Tensor embedTensor = gguf.tensor("token_embd.weight");
            Config config = new Config(hidden, (int) meta(gguf, "llama.block_count").asLong(), heads, kvHeads,
                    (int) meta(gguf, "llama.feed_forward_length").asLong(), (int) embedTensor.rowCount(),
                    (int) meta(gguf, "llama.context_length").asLong(),
                    meta(gguf, "llama.attention.layer_norm_rms_epsilon").asDouble(),
                    gguf.metadata().containsKey("llama.rope.freq_base") ? meta(gguf, "llama.rope.freq_base").asDouble() : 10000.0);

            Weights w = new Weights(gguf);
            int d = config.hidden(), q = config.heads() * config.headDim(), kv = config.kvHeads() * config.headDim(), f = config.intermediate();
            double[][] embed = w.matrix("token_embd.weight", config.vocab(), d);
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < config.layers(); l++) {
                String p = "blk." + l + ".";
                layers.add(new Layer(
                        w.vector(p + "attn_norm.weight", d),
                        w.matrix(p + "attn_q.weight", q, d),
                        w.matrix(p + "attn_k.weight", kv, d),
                        w.matrix(p + "attn_v.weight", kv, d),
                        w.matrix(p + "attn_output.weight", d, q),
                        w.vector(p + "ffn_norm.weight", d),
                        w.matrix(p + "ffn_gate.weight", f, d),
                        w.matrix(p + "ffn_up.weight", f, d),
                        w.matrix(p + "ffn_down.weight", d, f)));
            }
            double[] norm = w.vector("output_norm.weight", d);
            double[][] head = gguf.find("output.weight").isPresent() ? w.matrix("output.weight", config.vocab(), d) : embed;
            return new ReferenceLlama(config, Rope.PAIRS, embed, layers, norm, head);
        }
    }

    /** Logits (seq, vocab) of every position of {@code tokens}, each seeing only itself and earlier tokens. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length, d = config.hidden(), hd = config.headDim();
        int group = config.heads() / config.kvHeads();
        if (n == 0 || n > config.context()) throw new IllegalArgumentException("1 to " + config.context() + " tokens expected, found " + n);
        // the residual stream: token embeddings
        double[][] x = new double[n][];                                          // (seq, dim)
        for (int t = 0; t < n; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocab()) {
                throw new IllegalArgumentException("token ids in [0, " + config.vocab() + ") expected, found " + tokens[t] + " at " + t);
            }
            x[t] = embed[tokens[t]].clone();
        }
        for (Layer layer : layers) {
            // q, k, v of every position, rotated by position
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];   // (seq, heads*hd), (seq, kv*hd) x2
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], layer.attnNorm(), config.rmsNormEps());
                q[t] = matVec(layer.wq(), h);
                k[t] = matVec(layer.wk(), h);
                v[t] = matVec(layer.wv(), h);
                for (int head = 0; head < config.heads(); head++) rotate(q[t], head * hd, hd, t);
                for (int head = 0; head < config.kvHeads(); head++) rotate(k[t], head * hd, hd, t);
            }
            // causal attention, query head h reading kv head h / group (transformers' repeat_kv)
            for (int t = 0; t < n; t++) {
                double[] o = new double[config.heads() * hd];                    // (heads*hd,)
                for (int head = 0; head < config.heads(); head++) {
                    int kvHead = head / group;
                    double[] scores = new double[t + 1];                         // (t+1,)
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int j = 0; j < hd; j++) dot += q[t][head * hd + j] * k[u][kvHead * hd + j];
                        scores[u] = dot / Math.sqrt(hd);
                    }
                    double[] p = softmax(scores);
                    for (int u = 0; u <= t; u++) {
                        for (int j = 0; j < hd; j++) o[head * hd + j] += p[u] * v[u][kvHead * hd + j];
                    }
                }
                add(x[t], matVec(layer.wo(), o));
            }
            // SwiGLU MLP
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], layer.ffnNorm(), config.rmsNormEps());
                double[] g = matVec(layer.gate(), h), u = matVec(layer.up(), h);   // (intermediate,) x2
                double[] a = new double[g.length];
                for (int i = 0; i < a.length; i++) a[i] = silu(g[i]) * u[i];
                add(x[t], matVec(layer.down(), a));
            }
        }
        // final norm and head
        double[][] logits = new double[n][];                                     // (seq, vocab)
        for (int t = 0; t < n; t++) logits[t] = matVec(head, rmsNorm(x[t], finalNorm, config.rmsNormEps()));
        return logits;
    }

    /** {@code prompt} followed by {@code steps} tokens, each the argmax of the last position's logits (lowest id on ties). */
    public int[] greedy(int[] prompt, int steps) {
        int[] tokens = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            double[][] logits = logits(Arrays.copyOf(tokens, prompt.length + s));
            tokens[prompt.length + s] = argmax(logits[logits.length - 1]);
        }
        return tokens;
    }

    // ---------------------------------------------------------------- the steps, each a plain formula

    /** x * w / sqrt(mean(x^2) + eps). */
    static double[] rmsNorm(double[] x, double[] w, double eps) {
        double sumSquares = 0;
        for (double value : x) sumSquares += value * value;
        double scale = 1 / Math.sqrt(sumSquares / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * scale * w[i];
        return out;
    }

    private void rotate(double[] x, int from, int hd, int position) {
        if (rope == Rope.HALVES) ropeHalves(x, from, hd, position, config.ropeTheta());
        else ropePairs(x, from, hd, position, config.ropeTheta());
    }

    /**
     * Hugging Face RoPE on x[from, from + hd): q * cos + rotate_half(q) * sin, rotate_half(q) = [-q2, q1]:
     * for i < hd/2, angle a = position * theta^(-2i/hd),
     * x_i' = x_i cos a - x_{i+hd/2} sin a,  x_{i+hd/2}' = x_{i+hd/2} cos a + x_i sin a.
     */
    static void ropeHalves(double[] x, int from, int hd, int position, double theta) {
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * Math.pow(theta, -2.0 * i / hd);
            double a = x[from + i], b = x[from + i + half];
            x[from + i] = a * Math.cos(angle) - b * Math.sin(angle);
            x[from + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
        }
    }

    /**
     * llama.cpp RoPE (ggml_rope, mode 0) on x[from, from + hd): the same angles on adjacent pairs,
     * x_{2i}' = x_{2i} cos a - x_{2i+1} sin a,  x_{2i+1}' = x_{2i} sin a + x_{2i+1} cos a.
     */
    static void ropePairs(double[] x, int from, int hd, int position, double theta) {
        for (int i = 0; i < hd / 2; i++) {
            double angle = position * Math.pow(theta, -2.0 * i / hd);
            double a = x[from + 2 * i], b = x[from + 2 * i + 1];
            x[from + 2 * i] = a * Math.cos(angle) - b * Math.sin(angle);
            x[from + 2 * i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
        }
    }

    /** W (rows, cols) @ x (cols,) -> (rows,). */
    static double[] matVec(double[][] w, double[] x) {
        double[] out = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            double sum = 0;
            for (int c = 0; c < x.length; c++) sum += w[r][c] * x[c];
            out[r] = sum;
        }
        return out;
    }

    static double[] softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double value : s) max = Math.max(max, value);
        double sum = 0;
        double[] p = new double[s.length];
        for (int i = 0; i < s.length; i++) sum += p[i] = Math.exp(s[i] - max);
        for (int i = 0; i < s.length; i++) p[i] /= sum;
        return p;
    }

    static double silu(double z) {
        return z / (1 + Math.exp(-z));
    }

    static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static void add(double[] x, double[] delta) {
        for (int i = 0; i < x.length; i++) x[i] += delta[i];
    }

    private static GgufValue meta(ModelFile file, String key) {
        Object value = file.metadata().get(key);
        if (!(value instanceof GgufValue typed)) throw new IllegalArgumentException(file.path() + " has no metadata " + key);
        return typed;
    }

    private static void require(boolean ok, String expected, Object found) {
        if (!ok) throw new IllegalArgumentException("the reference Llama supports only " + expected + ", found " + found);
    }

    /** Tensors by name, decoded to double and checked against the shape the config implies. */
    record Weights(ModelFile file) {
        double[][] matrix(String name, int rows, int cols) {
            Tensor t = file.tensor(name);
            if (t.shape().rank() != 2 || t.shape().dim(0) != rows || t.shape().dim(1) != cols) {
                throw new IllegalArgumentException(name + ": shape (" + rows + ", " + cols + ") expected, found " + t.shape());
            }
            float[] flat = t.toFloatArray();
            double[][] m = new double[rows][cols];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r][c] = flat[r * cols + c];
            return m;
        }

        double[] vector(String name, int n) {
            Tensor t = file.tensor(name);
            if (t.shape().rank() != 1 || t.shape().dim(0) != n) {
                throw new IllegalArgumentException(name + ": shape (" + n + ",) expected, found " + t.shape());
            }
            float[] flat = t.toFloatArray();
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = flat[i];
            return v;
        }
    }
}
