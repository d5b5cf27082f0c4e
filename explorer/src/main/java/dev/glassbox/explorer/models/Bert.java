package dev.glassbox.explorer.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.models.HookName.InBlock;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static dev.glassbox.explorer.models.HookName.InBlock.*;

/**
 * A BERT encoder (e.g. all-MiniLM-L6-v2) read from its ONNX export: learned positions, post-norm blocks
 * (each sub-layer's output is added to the residual stream and then normalized), exact GELU, and
 * attention in both directions. Its output is the last hidden state; {@link #embed} pools it into one
 * sentence embedding.
 */
public final class Bert implements Transformer {

    /** One encoder block's weights; matrices are (in, out). */
    record Layer(Matrix wq, float[] bq, Matrix wk, float[] bk, Matrix wv, float[] bv, Matrix wo, float[] bo,
                 float[] ln1Weight, float[] ln1Bias, Matrix wIn, float[] bIn, Matrix wOut, float[] bOut,
                 float[] ln2Weight, float[] ln2Bias) {}

    private final Architecture a;
    private final Tensor wordEmbeddings;        // (vocab, d_model)
    private final float[] positionEmbeddings;   // (context, d_model)
    private final float[] tokenTypeEmbedding;   // (d_model,): type 0, a single sentence
    private final float[] embedLnWeight, embedLnBias;
    private final Layer[] layers;
    private final Tokenizer tokenizer;
    private final ModelFile file;
    private final String[][] names;

    Bert(Architecture a, Tensor wordEmbeddings, float[] positionEmbeddings, float[] tokenTypeEmbedding,
         float[] embedLnWeight, float[] embedLnBias, Layer[] layers, Tokenizer tokenizer, ModelFile file) {
        this.file = file;
        this.a = a;
        this.wordEmbeddings = wordEmbeddings;
        this.positionEmbeddings = positionEmbeddings;
        this.tokenTypeEmbedding = tokenTypeEmbedding;
        this.embedLnWeight = embedLnWeight;
        this.embedLnBias = embedLnBias;
        this.layers = layers;
        this.tokenizer = tokenizer;
        this.names = new String[a.layers()][];
        for (int i = 0; i < a.layers(); i++) names[i] = HookName.blockNames(i);
    }

    @Override public Architecture architecture() { return a; }

    @Override public Tokenizer tokenizer() {
        if (tokenizer == null) throw new IllegalStateException("this BERT model was loaded without a tokenizer.json");
        return tokenizer;
    }

    @Override public void close() { file.close(); }

    /** The word embedding table (vocab, d_model), for nearest-token lookups. */
    public Tensor wordEmbeddings() { return wordEmbeddings; }

    /** tokens (s,) -> last hidden state (s, d_model). */
    @Override
    public Output run(int[] tokens, Hooks hooks, Ops ops) {
        int s = tokens.length, d = a.dModel(), heads = a.heads(), dh = a.dHead(), ff = a.dMlp();
        a.checkTokens(tokens);
        float[] x = new float[s * d];              // (s, d) the residual stream
        float[] pos = new float[s * d];            // (s, d)
        float[] q = new float[s * d], k = new float[s * d], v = new float[s * d];   // (s, heads*dh)
        float[] scores = new float[heads * s * s]; // (heads, s, s)
        float[] z = new float[s * d];              // (s, heads*dh)
        float[] attnOut = new float[s * d];        // (s, d)
        float[] h = new float[s * ff];             // (s, d_mlp)
        float[] mlpOut = new float[s * d];         // (s, d)

        // embeddings: word + position + token type 0, then LayerNorm
        for (int i = 0; i < s; i++) wordEmbeddings.readFloats((long) tokens[i] * d, x, i * d, d);
        hooks.at(HookName.EMBED, x, s, d);
        System.arraycopy(positionEmbeddings, 0, pos, 0, s * d);
        hooks.at(HookName.POS_EMBED, pos, s, d);
        ops.add(x, x, pos, s * d);
        ops.addBias(x, tokenTypeEmbedding, s, d);   // every token is of type 0: the same row for all
        ops.layerNorm(x, x, embedLnWeight, embedLnBias, s, d, a.eps());

        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            String[] at = names[l];
            hooks.at(at[RESID_PRE.ordinal()], x, s, d);

            // self-attention: every token looks at every token
            ops.linear(q, x, w.wq(), w.bq(), s);
            ops.linear(k, x, w.wk(), w.bk(), s);
            ops.linear(v, x, w.wv(), w.bv(), s);
            hooks.at(at[Q.ordinal()], q, s, heads, dh);
            hooks.at(at[K.ordinal()], k, s, heads, dh);
            hooks.at(at[V.ordinal()], v, s, heads, dh);
            ops.attentionScores(scores, q, k, s, s, heads, heads, dh, 0, false);
            hooks.at(at[ATTN_SCORES.ordinal()], scores, heads, s, s);
            ops.softmaxRows(scores, heads * s, s);
            hooks.at(at[PATTERN.ordinal()], scores, heads, s, s);
            ops.attentionValues(z, scores, v, s, s, heads, heads, dh);
            hooks.at(at[Z.ordinal()], z, s, heads, dh);
            ops.linear(attnOut, z, w.wo(), w.bo(), s);
            hooks.at(at[ATTN_OUT.ordinal()], attnOut, s, d);

            // x = LayerNorm(x + attn_out)
            ops.add(x, x, attnOut, s * d);
            hooks.at(at[RESID_MID.ordinal()], x, s, d);
            ops.layerNorm(x, x, w.ln1Weight(), w.ln1Bias(), s, d, a.eps());
            hooks.at(at[LN1.ordinal()], x, s, d);

            // MLP: d -> d_mlp, GELU, -> d
            ops.linear(h, x, w.wIn(), w.bIn(), s);
            hooks.at(at[MLP_PRE.ordinal()], h, s, ff);
            ops.gelu(h, s * ff);
            hooks.at(at[MLP_POST.ordinal()], h, s, ff);
            ops.linear(mlpOut, h, w.wOut(), w.bOut(), s);
            hooks.at(at[MLP_OUT.ordinal()], mlpOut, s, d);

            // x = LayerNorm(x + mlp_out)
            ops.add(x, x, mlpOut, s * d);
            hooks.at(at[RESID_POST.ordinal()], x, s, d);
            ops.layerNorm(x, x, w.ln2Weight(), w.ln2Bias(), s, d, a.eps());
            hooks.at(at[LN2.ordinal()], x, s, d);
        }
        return new Output(x, s, d);
    }

    /** The sentence embedding of {@code text}: the mean of the last hidden state over its tokens, scaled to length 1. */
    public float[] embed(String text) {
        return meanPooled(run(encode(text)));
    }

    /** hidden (s, d) -> mean over s, L2-normalized (d,). */
    public static float[] meanPooled(Output hidden) {
        int s = hidden.rows(), d = hidden.cols();
        float[] mean = new float[d];
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < d; j++) mean[j] += hidden.values()[i * d + j];
        }
        double norm = 0;
        for (int j = 0; j < d; j++) norm += (double) (mean[j] /= s) * mean[j];
        float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int j = 0; j < d; j++) mean[j] *= scale;
        return mean;
    }

    /**
     * The BERT in an ONNX export, with the config.json and tokenizer.json beside it (the ONNX graph keeps the
     * head count only inside its reshapes, so config.json gives it).
     */
    public static Bert load(Path onnx) throws IOException {
        return load(onnx, UnaryOperator.identity());
    }

    /** Like {@link #load(Path)}, with the weights file passed through {@code weights} first (see {@link Transformer#load(Path, UnaryOperator)}). */
    public static Bert load(Path onnx, UnaryOperator<ModelFile> weights) throws IOException {
        Path config = onnx.toAbsolutePath().getParent().resolve("config.json");
        if (!Files.exists(config)) throw new IOException(onnx + ": a config.json beside it expected (for num_attention_heads), found none");
        HfConfig c = HfConfig.read(config);
        if (c.numAttentionHeads() < 1) throw new IOException(config + ": num_attention_heads expected");
        return load(onnx, c.numAttentionHeads(), Double.isNaN(c.layerNormEps()) ? 1e-12f : (float) c.layerNormEps(),
                Transformer.siblingTokenizer(onnx), weights);
    }

    /** The BERT in an ONNX export of Hugging Face's BertModel, its weights named by {@code OnnxWeightNames}. */
    public static Bert load(Path onnx, int heads, float eps, Tokenizer tokenizer) throws IOException {
        return load(onnx, heads, eps, tokenizer, UnaryOperator.identity());
    }

    static Bert load(Path onnx, int heads, float eps, Tokenizer tokenizer, UnaryOperator<ModelFile> weights) throws IOException {
        ModelFile file = Transformer.open(onnx, weights);   // stays open: the word embeddings are read from the mapping
        try {
            Weights w = new Weights(file);
            Tensor words = w.tensor("embeddings.word_embeddings.weight");
            int vocab = (int) words.shape().dim(0), d = (int) words.shape().dim(1);
            float[] positions = w.floats("embeddings.position_embeddings.weight");
            int layerCount = 0;
            while (file.find("encoder.layer." + layerCount + ".attention.self.query.bias").isPresent()) layerCount++;
            Tensor ff = w.tensor("encoder.layer.0.intermediate.dense.weight");
            Architecture a = new Architecture(Architecture.Family.BERT, layerCount, d, heads, heads, d / heads, (int) ff.shape().dim(1), vocab,
                    positions.length / d, Architecture.Norm.LAYER_NORM, false, Architecture.Activation.GELU, Architecture.Positions.LEARNED, false, eps);
            Layer[] layers = new Layer[layerCount];
            for (int i = 0; i < layerCount; i++) {
                String p = "encoder.layer." + i + ".";
                layers[i] = new Layer(
                        w.inOut(p + "attention.self.query.weight", d, d), w.vector(p + "attention.self.query.bias", d),
                        w.inOut(p + "attention.self.key.weight", d, d), w.vector(p + "attention.self.key.bias", d),
                        w.inOut(p + "attention.self.value.weight", d, d), w.vector(p + "attention.self.value.bias", d),
                        w.inOut(p + "attention.output.dense.weight", d, d), w.vector(p + "attention.output.dense.bias", d),
                        w.vector(p + "attention.output.LayerNorm.weight", d), w.vector(p + "attention.output.LayerNorm.bias", d),
                        w.inOut(p + "intermediate.dense.weight", d, a.dMlp()), w.vector(p + "intermediate.dense.bias", a.dMlp()),
                        w.inOut(p + "output.dense.weight", a.dMlp(), d), w.vector(p + "output.dense.bias", d),
                        w.vector(p + "output.LayerNorm.weight", d), w.vector(p + "output.LayerNorm.bias", d));
            }
            float[] types = w.tensor("embeddings.token_type_embeddings.weight").readRows(0, 1);
            return new Bert(a, words, positions, types, w.vector("embeddings.LayerNorm.weight", d),
                    w.vector("embeddings.LayerNorm.bias", d), layers, tokenizer, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }
}
