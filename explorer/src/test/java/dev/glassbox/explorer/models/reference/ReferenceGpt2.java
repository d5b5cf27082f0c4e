package dev.glassbox.explorer.models.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The test oracle for GPT-2: Hugging Face's {@code GPT2LMHeadModel} forward pass written as plainly as
 * possible, in double precision, with plain loops and no project kernels. Reads config.json and
 * model.safetensors (names with or without the {@code transformer.} prefix).
 *
 * <p>Conv1D weights are (in, out) and compute y = x @ W + b. For every position t:
 * <pre>
 * x = wte[token] + wpe[t]
 * per layer:  a = ln_1(x);  q | k | v = a @ W_attn + b_attn        (3 * embd,), split in three, each into heads
 *             o_head = sum_{u <= t} softmax_u(q_head . k_head(u) / sqrt(hd)) v_head(u)
 *             x = x + o @ W_proj + b_proj
 *             x = x + gelu_new(ln_2(x) @ W_fc + b_fc) @ W_mlp_proj + b_mlp_proj
 * logits = ln_f(x) @ wte^T                                          the head is tied to wte
 * </pre>
 * ln(x) = (x - mean) / sqrt(var + eps) * w + b with the biased variance;
 * gelu_new(z) = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3))).
 */
public final class ReferenceGpt2 {
    /** The hyperparameters the forward pass needs. */
    public record Config(int embd, int layers, int heads, int inner, int vocab, int positions, double layerNormEps) {
        public int headDim() { return embd / heads; }
    }

    /** One block; Conv1D matrices indexed [in][out]. */
    private record Block(double[] ln1w, double[] ln1b, double[][] attnW, double[] attnB, double[][] projW, double[] projB,
                         double[] ln2w, double[] ln2b, double[][] fcW, double[] fcB, double[][] mlpProjW, double[] mlpProjB) {}

    private final Config config;
    private final double[][] wte;   // (vocab, embd)
    private final double[][] wpe;   // (positions, embd)
    private final List<Block> blocks;
    private final double[] lnfW, lnfB;

    private ReferenceGpt2(Config config, double[][] wte, double[][] wpe, List<Block> blocks, double[] lnfW, double[] lnfB) {
        this.config = config;
        this.wte = wte;
        this.wpe = wpe;
        this.blocks = blocks;
        this.lnfW = lnfW;
        this.lnfB = lnfB;
    }

    public Config config() { return config; }

    /** Reads a Hugging Face GPT-2 checkpoint: {@code dir/config.json} and {@code dir/model.safetensors}. */
    public static ReferenceGpt2 load(Path dir) throws IOException {
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
        int embd = json.get("n_embd").intValue();
        Config config = new Config(embd, json.get("n_layer").intValue(), json.get("n_head").intValue(),
                json.path("n_inner").isInt() ? json.get("n_inner").intValue() : 4 * embd,
                json.get("vocab_size").intValue(), json.get("n_positions").intValue(),
                json.path("layer_norm_epsilon").isNumber() ? json.get("layer_norm_epsilon").doubleValue() : 1e-5);
        // What this oracle does not implement must not be silently ignored.
        String act = json.path("activation_function").asText("gelu_new");
        require(act.equals("gelu_new") || act.equals("gelu_pytorch_tanh"), "activation_function gelu_new", act);
        require(json.path("scale_attn_weights").asBoolean(true), "scale_attn_weights true", json.path("scale_attn_weights"));
        require(!json.path("scale_attn_by_inverse_layer_idx").asBoolean(false), "scale_attn_by_inverse_layer_idx false",
                json.path("scale_attn_by_inverse_layer_idx"));

        try (ModelFile file = ModelFiles.open(dir.resolve("model.safetensors"))) {
            String prefix = file.find("wte.weight").isPresent() ? "" : "transformer.";
            Weights w = new Weights(file, prefix);
            int e = config.embd(), inner = config.inner();
            double[][] wte = w.matrix("wte.weight", config.vocab(), e);
            double[][] wpe = w.matrix("wpe.weight", config.positions(), e);
            List<Block> blocks = new ArrayList<>();
            for (int l = 0; l < config.layers(); l++) {
                String p = "h." + l + ".";
                blocks.add(new Block(
                        w.vector(p + "ln_1.weight", e), w.vector(p + "ln_1.bias", e),
                        w.matrix(p + "attn.c_attn.weight", e, 3 * e), w.vector(p + "attn.c_attn.bias", 3 * e),
                        w.matrix(p + "attn.c_proj.weight", e, e), w.vector(p + "attn.c_proj.bias", e),
                        w.vector(p + "ln_2.weight", e), w.vector(p + "ln_2.bias", e),
                        w.matrix(p + "mlp.c_fc.weight", e, inner), w.vector(p + "mlp.c_fc.bias", inner),
                        w.matrix(p + "mlp.c_proj.weight", inner, e), w.vector(p + "mlp.c_proj.bias", e)));
            }
            return new ReferenceGpt2(config, wte, wpe, blocks, w.vector("ln_f.weight", e), w.vector("ln_f.bias", e));
        }
    }

    /** Logits (seq, vocab) of every position of {@code tokens}, each seeing only itself and earlier tokens. */
    public double[][] logits(int[] tokens) {
        int n = tokens.length, e = config.embd(), hd = config.headDim();
        if (n == 0 || n > config.positions()) throw new IllegalArgumentException("1 to " + config.positions() + " tokens expected, found " + n);
        // token and learned position embeddings
        double[][] x = new double[n][e];                                         // (seq, embd)
        for (int t = 0; t < n; t++) {
            if (tokens[t] < 0 || tokens[t] >= config.vocab()) {
                throw new IllegalArgumentException("token ids in [0, " + config.vocab() + ") expected, found " + tokens[t] + " at " + t);
            }
            for (int i = 0; i < e; i++) x[t][i] = wte[tokens[t]][i] + wpe[t][i];
        }
        for (Block b : blocks) {
            // q | k | v of every position
            double[][] qkv = new double[n][];                                    // (seq, 3 * embd)
            for (int t = 0; t < n; t++) qkv[t] = conv1d(layerNorm(x[t], b.ln1w(), b.ln1b(), config.layerNormEps()), b.attnW(), b.attnB());
            // causal attention; head h is columns [h*hd, (h+1)*hd) of each of q, k, v
            for (int t = 0; t < n; t++) {
                double[] o = new double[e];                                      // (embd,)
                for (int h = 0; h < config.heads(); h++) {
                    double[] scores = new double[t + 1];                         // (t+1,)
                    for (int u = 0; u <= t; u++) {
                        double dot = 0;
                        for (int j = 0; j < hd; j++) dot += qkv[t][h * hd + j] * qkv[u][e + h * hd + j];
                        scores[u] = dot / Math.sqrt(hd);
                    }
                    double[] p = ReferenceLlama.softmax(scores);
                    for (int u = 0; u <= t; u++) {
                        for (int j = 0; j < hd; j++) o[h * hd + j] += p[u] * qkv[u][2 * e + h * hd + j];
                    }
                }
                add(x[t], conv1d(o, b.projW(), b.projB()));
            }
            // MLP
            for (int t = 0; t < n; t++) {
                double[] hidden = conv1d(layerNorm(x[t], b.ln2w(), b.ln2b(), config.layerNormEps()), b.fcW(), b.fcB());   // (inner,)
                for (int i = 0; i < hidden.length; i++) hidden[i] = geluNew(hidden[i]);
                add(x[t], conv1d(hidden, b.mlpProjW(), b.mlpProjB()));
            }
        }
        // final LayerNorm and the tied head
        double[][] logits = new double[n][];                                     // (seq, vocab)
        for (int t = 0; t < n; t++) logits[t] = ReferenceLlama.matVec(wte, layerNorm(x[t], lnfW, lnfB, config.layerNormEps()));
        return logits;
    }

    /** {@code prompt} followed by {@code steps} tokens, each the argmax of the last position's logits (lowest id on ties). */
    public int[] greedy(int[] prompt, int steps) {
        int[] tokens = Arrays.copyOf(prompt, prompt.length + steps);
        for (int s = 0; s < steps; s++) {
            double[][] logits = logits(Arrays.copyOf(tokens, prompt.length + s));
            tokens[prompt.length + s] = ReferenceLlama.argmax(logits[logits.length - 1]);
        }
        return tokens;
    }

    // ---------------------------------------------------------------- the steps, each a plain formula

    /** (x - mean) / sqrt(var + eps) * w + b, var the biased (population) variance. */
    static double[] layerNorm(double[] x, double[] w, double[] b, double eps) {
        double mean = 0;
        for (double value : x) mean += value;
        mean /= x.length;
        double var = 0;
        for (double value : x) var += (value - mean) * (value - mean);
        var /= x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (x[i] - mean) / Math.sqrt(var + eps) * w[i] + b[i];
        return out;
    }

    /** x (in,) @ W (in, out) + b (out,) -> (out,). */
    static double[] conv1d(double[] x, double[][] w, double[] b) {
        double[] out = b.clone();
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out.length; o++) out[o] += x[i] * w[i][o];
        }
        return out;
    }

    /** transformers' NewGELUActivation (OpenAI GPT's tanh approximation). */
    static double geluNew(double z) {
        return 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
    }

    private static void add(double[] x, double[] delta) {
        for (int i = 0; i < x.length; i++) x[i] += delta[i];
    }

    private static void require(boolean ok, String expected, Object found) {
        if (!ok) throw new IllegalArgumentException("the reference GPT-2 supports only " + expected + ", found " + found);
    }

    /** Tensors by name (after an optional prefix), decoded to double and checked against the shape the config implies. */
    private record Weights(ModelFile file, String prefix) {
        double[][] matrix(String name, int rows, int cols) {
            return new ReferenceLlama.Weights(file).matrix(prefix + name, rows, cols);
        }

        double[] vector(String name, int n) {
            return new ReferenceLlama.Weights(file).vector(prefix + name, n);
        }
    }
}
