package dev.glassbox.explorer.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static dev.glassbox.explorer.models.HookName.InBlock.*;

/**
 * GPT-2: learned position embeddings, pre-norm blocks with LayerNorm, causal attention with biases, a
 * GELU (tanh form) MLP four times as wide as the model, and the unembedding tied to the token embedding.
 * Loads Hugging Face safetensors + config.json, whose Conv1D weights are already stored (in, out).
 */
public final class Gpt2 implements Decoder {

    /** One block's weights; matrices (in, out), the fused q|k|v projection split into three. */
    record Layer(float[] ln1Weight, float[] ln1Bias, Matrix wq, Matrix wk, Matrix wv, float[] bq, float[] bk, float[] bv,
                 Matrix wo, float[] bo, float[] ln2Weight, float[] ln2Bias, Matrix wIn, float[] bIn, Matrix wOut, float[] bOut) {}

    private final Architecture a;
    private final Tensor tokenEmbeddings;      // (vocab, d_model)
    private final float[] positionEmbeddings;  // (context, d_model)
    private final Layer[] layers;
    private final float[] lnFinalWeight, lnFinalBias;
    private final Matrix head;                 // d_model -> vocab: the token embedding, transposed
    private final Tokenizer tokenizer;
    private final ModelFile file;
    private final String[][] names;

    Gpt2(Architecture a, Tensor tokenEmbeddings, float[] positionEmbeddings, Layer[] layers, float[] lnFinalWeight,
         float[] lnFinalBias, Matrix head, Tokenizer tokenizer, ModelFile file) {
        this.a = a;
        this.tokenEmbeddings = tokenEmbeddings;
        this.positionEmbeddings = positionEmbeddings;
        this.layers = layers;
        this.lnFinalWeight = lnFinalWeight;
        this.lnFinalBias = lnFinalBias;
        this.head = head;
        this.tokenizer = tokenizer;
        this.file = file;
        this.names = new String[a.layers()][];
        for (int i = 0; i < a.layers(); i++) names[i] = HookName.blockNames(i);
    }

    @Override public Architecture architecture() { return a; }

    @Override public Tokenizer tokenizer() {
        if (tokenizer == null) throw new IllegalStateException("this GPT-2 model came without a tokenizer.json");
        return tokenizer;
    }

    @Override public void close() { file.close(); }

    /** tokens (s,) at positions cache.length() onwards -> logits (s, vocab). */
    @Override
    public Output run(int[] tokens, KvCache cache, Hooks hooks, Ops ops) {
        int s = tokens.length, d = a.dModel(), heads = a.heads(), dh = a.dHead(), ff = a.dMlp();
        int past = cache.length, t = past + s;
        a.checkTokens(tokens);
        cache.reserve(s);
        float[] x = new float[s * d];                // (s, d) the residual stream
        float[] pos = new float[s * d];              // (s, d)
        float[] xb = new float[s * d];               // (s, d) normalized
        float[] q = new float[s * d], k = new float[s * d], v = new float[s * d];   // (s, heads*dh)
        float[] scores = new float[heads * s * t];   // (heads, s, t)
        float[] z = new float[s * d];                // (s, heads*dh)
        float[] attnOut = new float[s * d];          // (s, d)
        float[] h = new float[s * ff];               // (s, d_mlp)
        float[] mlpOut = new float[s * d];           // (s, d)

        // embed: token row + position row
        for (int i = 0; i < s; i++) tokenEmbeddings.readFloats((long) tokens[i] * d, x, i * d, d);
        hooks.at(HookName.EMBED, x, s, d);
        System.arraycopy(positionEmbeddings, past * d, pos, 0, s * d);
        hooks.at(HookName.POS_EMBED, pos, s, d);
        ops.add(x, x, pos, s * d);

        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            String[] at = names[l];
            float[] keys = cache.keys[l], values = cache.values[l];     // (context, d)
            hooks.at(at[RESID_PRE.ordinal()], x, s, d);

            // x = x + attn(ln_1(x)), causal
            ops.layerNorm(xb, x, w.ln1Weight(), w.ln1Bias(), s, d, a.eps());
            hooks.at(at[LN1.ordinal()], xb, s, d);
            ops.linear(q, xb, w.wq(), w.bq(), s);
            ops.linear(k, xb, w.wk(), w.bk(), s);
            ops.linear(v, xb, w.wv(), w.bv(), s);
            hooks.at(at[Q.ordinal()], q, s, heads, dh);
            hooks.at(at[K.ordinal()], k, s, heads, dh);
            hooks.at(at[V.ordinal()], v, s, heads, dh);
            System.arraycopy(k, 0, keys, past * d, s * d);
            System.arraycopy(v, 0, values, past * d, s * d);
            ops.attentionScores(scores, q, keys, s, t, heads, heads, dh, past, true);
            hooks.at(at[ATTN_SCORES.ordinal()], scores, heads, s, t);
            ops.softmaxRows(scores, heads * s, t);
            hooks.at(at[PATTERN.ordinal()], scores, heads, s, t);
            ops.attentionValues(z, scores, values, s, t, heads, heads, dh);
            hooks.at(at[Z.ordinal()], z, s, heads, dh);
            ops.linear(attnOut, z, w.wo(), w.bo(), s);
            hooks.at(at[ATTN_OUT.ordinal()], attnOut, s, d);
            ops.add(x, x, attnOut, s * d);
            hooks.at(at[RESID_MID.ordinal()], x, s, d);

            // x = x + mlp(ln_2(x)): d -> 4d, GELU, -> d
            ops.layerNorm(xb, x, w.ln2Weight(), w.ln2Bias(), s, d, a.eps());
            hooks.at(at[LN2.ordinal()], xb, s, d);
            ops.linear(h, xb, w.wIn(), w.bIn(), s);
            hooks.at(at[MLP_PRE.ordinal()], h, s, ff);
            ops.geluTanh(h, s * ff);
            hooks.at(at[MLP_POST.ordinal()], h, s, ff);
            ops.linear(mlpOut, h, w.wOut(), w.bOut(), s);
            hooks.at(at[MLP_OUT.ordinal()], mlpOut, s, d);
            ops.add(x, x, mlpOut, s * d);
            hooks.at(at[RESID_POST.ordinal()], x, s, d);
        }
        cache.length = t;

        // final LayerNorm, then logits against every token embedding
        ops.layerNorm(x, x, lnFinalWeight, lnFinalBias, s, d, a.eps());
        hooks.at(HookName.LN_FINAL, x, s, d);
        float[] logits = new float[s * a.vocab()];   // (s, vocab)
        ops.matmul(logits, x, head, s);
        hooks.at(HookName.UNEMBED, logits, s, a.vocab());
        return new Output(logits, s, a.vocab());
    }

    @Override
    public float[] unembed(float[] residual, int rows, Ops ops) {
        float[] normalized = new float[rows * a.dModel()];
        ops.layerNorm(normalized, residual, lnFinalWeight, lnFinalBias, rows, a.dModel(), a.eps());
        float[] logits = new float[rows * a.vocab()];
        ops.matmul(logits, normalized, head, rows);
        return logits;
    }

    /** A folder (or its config.json / model.safetensors) with a Hugging Face GPT-2 checkpoint. */
    public static Gpt2 load(Path path) throws IOException {
        return load(path, UnaryOperator.identity());
    }

    /** Like {@link #load(Path)}, with the weights file passed through {@code weights} first (see {@link Transformer#load(Path, UnaryOperator)}). */
    public static Gpt2 load(Path path, UnaryOperator<ModelFile> weights) throws IOException {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        HfConfig c = HfConfig.read(dir.resolve("config.json"));
        Tokenizer tokenizer = Transformer.siblingTokenizer(dir);
        ModelFile file = Transformer.open(dir.resolve("model.safetensors"), weights);
        try {
            Weights w = new Weights(file);
            String prefix = w.has("transformer.wte.weight") ? "transformer." : "";   // GPT2LMHeadModel vs GPT2Model names
            Tensor wte = w.tensor(prefix + "wte.weight");
            int vocab = (int) wte.shape().dim(0), d = (int) wte.shape().dim(1), heads = c.numAttentionHeads();
            int ff = c.intermediateSize() > 0 ? c.intermediateSize() : 4 * d;
            float[] wpe = w.floats(prefix + "wpe.weight");
            float eps = Double.isNaN(c.layerNormEps()) ? 1e-5f : (float) c.layerNormEps();
            Architecture a = new Architecture(Architecture.Family.GPT2, c.numHiddenLayers(), d, heads, heads, d / heads, ff, vocab,
                    wpe.length / d, Architecture.Norm.LAYER_NORM, true, Architecture.Activation.GELU_TANH, Architecture.Positions.LEARNED, true, eps);
            Layer[] layers = new Layer[a.layers()];
            for (int i = 0; i < layers.length; i++) {
                String p = prefix + "h." + i + ".";
                float[] qkv = w.shaped(p + "attn.c_attn.weight", d, 3L * d).toFloatArray();    // (d, 3d): [q | k | v] side by side
                float[] qkvBias = w.vector(p + "attn.c_attn.bias", 3 * d);
                layers[i] = new Layer(
                        w.vector(p + "ln_1.weight", d), w.vector(p + "ln_1.bias", d),
                        columns(qkv, d, 3 * d, 0, d), columns(qkv, d, 3 * d, d, d), columns(qkv, d, 3 * d, 2 * d, d),
                        java.util.Arrays.copyOfRange(qkvBias, 0, d), java.util.Arrays.copyOfRange(qkvBias, d, 2 * d),
                        java.util.Arrays.copyOfRange(qkvBias, 2 * d, 3 * d),
                        w.inOut(p + "attn.c_proj.weight", d, d), w.vector(p + "attn.c_proj.bias", d),
                        w.vector(p + "ln_2.weight", d), w.vector(p + "ln_2.bias", d),
                        w.inOut(p + "mlp.c_fc.weight", d, ff), w.vector(p + "mlp.c_fc.bias", ff),
                        w.inOut(p + "mlp.c_proj.weight", ff, d), w.vector(p + "mlp.c_proj.bias", d));
            }
            return new Gpt2(a, wte, wpe, layers, w.vector(prefix + "ln_f.weight", d), w.vector(prefix + "ln_f.bias", d),
                    Weights.outIn(wte, d, vocab), tokenizer, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Columns [from, from + width) of w (n, cols) as their own (n, width) matrix. */
    private static Matrix columns(float[] w, int n, int cols, int from, int width) {
        return Matrix.F32.fromRows(n, width, (row, k) -> System.arraycopy(w, k * cols + from, row, 0, width));
    }
}
