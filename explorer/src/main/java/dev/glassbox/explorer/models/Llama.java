package dev.glassbox.explorer.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.gguf.GgufMetadata;
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
 * A Llama-style decoder: pre-norm blocks with RMSNorm, rotary positions (RoPE) applied to queries and
 * keys, grouped-query attention (several query heads share one key/value head), a SwiGLU MLP
 * ({@code down(silu(gate(x)) * up(x))}) and a KV cache. With {@code intermediate_size} 0 the model is
 * attention-only: its blocks have no MLP and no post-attention norm. Loads Hugging Face safetensors + config.json, or
 * GGUF (F32, F16, Q8_0, Q4_0) with llama.cpp's names.
 */
public final class Llama implements Decoder {

    /** One block's weights: norms (d,), matrices in the kernels' layout; the MLP ones are null in an attention-only model. */
    record Layer(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                 float[] mlpNorm, Matrix wGate, Matrix wUp, Matrix wDown) {}

    private final Architecture a;
    private final Tensor embeddings;     // (vocab, d_model)
    private final Layer[] layers;
    private final float[] finalNorm;     // (d_model,)
    private final Matrix head;           // d_model -> vocab
    private final float ropeTheta;
    private final boolean ropeInterleaved;   // llama.cpp pairs (2j, 2j+1); Hugging Face pairs (j, j + d_head/2)
    private final Tokenizer tokenizer;
    private final ModelFile file;
    private final String[][] names;

    Llama(Architecture a, Tensor embeddings, Layer[] layers, float[] finalNorm, Matrix head, float ropeTheta,
          boolean ropeInterleaved, Tokenizer tokenizer, ModelFile file) {
        this.a = a;
        this.embeddings = embeddings;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
        this.ropeTheta = ropeTheta;
        this.ropeInterleaved = ropeInterleaved;
        this.tokenizer = tokenizer;
        this.file = file;
        this.names = new String[a.layers()][];
        for (int i = 0; i < a.layers(); i++) names[i] = HookName.blockNames(i);
    }

    @Override public Architecture architecture() { return a; }

    @Override public Tokenizer tokenizer() {
        if (tokenizer == null) throw new IllegalStateException("this Llama model came without a tokenizer");
        return tokenizer;
    }

    @Override public void close() { file.close(); }

    /** tokens (s,) at positions cache.length() onwards -> logits (s, vocab). */
    @Override
    public Output run(int[] tokens, KvCache cache, Hooks hooks, Ops ops) {
        int s = tokens.length, d = a.dModel(), heads = a.heads(), kvHeads = a.kvHeads(), dh = a.dHead();
        int kvDim = a.kvDim(), ff = a.dMlp(), past = cache.length, t = past + s;
        a.checkTokens(tokens);
        cache.reserve(s);
        float[] x = new float[s * d];                // (s, d) the residual stream
        float[] xb = new float[s * d];               // (s, d) normalized
        float[] q = new float[s * d];                // (s, heads*dh)
        float[] k = new float[s * kvDim];            // (s, kvHeads*dh)
        float[] v = new float[s * kvDim];            // (s, kvHeads*dh)
        float[] scores = new float[heads * s * t];   // (heads, s, t)
        float[] z = new float[s * d];                // (s, heads*dh)
        float[] attnOut = new float[s * d];          // (s, d)
        float[] gate = new float[s * ff];            // (s, d_mlp)
        float[] up = new float[s * ff];              // (s, d_mlp)
        float[] mlpOut = new float[s * d];           // (s, d)

        // embed: one row of the table per token
        for (int i = 0; i < s; i++) embeddings.readFloats((long) tokens[i] * d, x, i * d, d);
        hooks.at(HookName.EMBED, x, s, d);

        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            String[] at = names[l];
            float[] keys = cache.keys[l], values = cache.values[l];     // (context, kvDim)
            hooks.at(at[RESID_PRE.ordinal()], x, s, d);

            // attention: RMSNorm, project, rotate q and k by position, attend to every earlier position
            ops.rmsNorm(xb, x, w.attnNorm(), s, d, a.eps());
            hooks.at(at[LN1.ordinal()], xb, s, d);
            ops.matmul(q, xb, w.wq(), s);
            ops.matmul(k, xb, w.wk(), s);
            ops.matmul(v, xb, w.wv(), s);
            hooks.at(at[Q.ordinal()], q, s, heads, dh);
            hooks.at(at[K.ordinal()], k, s, kvHeads, dh);
            hooks.at(at[V.ordinal()], v, s, kvHeads, dh);
            ops.rope(q, s, heads, dh, past, ropeTheta, ropeInterleaved);
            ops.rope(k, s, kvHeads, dh, past, ropeTheta, ropeInterleaved);
            System.arraycopy(k, 0, keys, past * kvDim, s * kvDim);
            System.arraycopy(v, 0, values, past * kvDim, s * kvDim);
            ops.attentionScores(scores, q, keys, s, t, heads, kvHeads, dh, past, true);
            hooks.at(at[ATTN_SCORES.ordinal()], scores, heads, s, t);
            ops.softmaxRows(scores, heads * s, t);
            hooks.at(at[PATTERN.ordinal()], scores, heads, s, t);
            ops.attentionValues(z, scores, values, s, t, heads, kvHeads, dh);
            hooks.at(at[Z.ordinal()], z, s, heads, dh);
            ops.matmul(attnOut, z, w.wo(), s);
            hooks.at(at[ATTN_OUT.ordinal()], attnOut, s, d);
            ops.add(x, x, attnOut, s * d);
            hooks.at(at[RESID_MID.ordinal()], x, s, d);
            if (w.wGate() == null) {                    // attention-only: the block ends here
                hooks.at(at[RESID_POST.ordinal()], x, s, d);
                continue;
            }

            // MLP (SwiGLU): down(silu(gate(x)) * up(x))
            ops.rmsNorm(xb, x, w.mlpNorm(), s, d, a.eps());
            hooks.at(at[LN2.ordinal()], xb, s, d);
            ops.matmul(gate, xb, w.wGate(), s);
            ops.matmul(up, xb, w.wUp(), s);
            hooks.at(at[MLP_PRE.ordinal()], gate, s, ff);
            ops.silu(gate, s * ff);
            ops.mul(gate, gate, up, s * ff);
            hooks.at(at[MLP_POST.ordinal()], gate, s, ff);
            ops.matmul(mlpOut, gate, w.wDown(), s);
            hooks.at(at[MLP_OUT.ordinal()], mlpOut, s, d);
            ops.add(x, x, mlpOut, s * d);
            hooks.at(at[RESID_POST.ordinal()], x, s, d);
        }
        cache.length = t;

        // final RMSNorm, then the unembedding to one logit per vocabulary entry
        ops.rmsNorm(x, x, finalNorm, s, d, a.eps());
        hooks.at(HookName.LN_FINAL, x, s, d);
        float[] logits = new float[s * a.vocab()];   // (s, vocab)
        ops.matmul(logits, x, head, s);
        hooks.at(HookName.UNEMBED, logits, s, a.vocab());
        return new Output(logits, s, a.vocab());
    }

    @Override
    public float[] unembed(float[] residual, int rows, Ops ops) {
        float[] normalized = new float[rows * a.dModel()];
        ops.rmsNorm(normalized, residual, finalNorm, rows, a.dModel(), a.eps());
        float[] logits = new float[rows * a.vocab()];
        ops.matmul(logits, normalized, head, rows);
        return logits;
    }

    /** A GGUF file, or a folder (or its config.json / model.safetensors) in Hugging Face layout. */
    public static Llama load(Path path) throws IOException {
        return load(path, UnaryOperator.identity());
    }

    /** Like {@link #load(Path)}, with the weights file passed through {@code weights} first (see {@link Transformer#load(Path, UnaryOperator)}). */
    public static Llama load(Path path, UnaryOperator<ModelFile> weights) throws IOException {
        if (path.getFileName().toString().endsWith(".gguf")) return loadGguf(path, weights);
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        return loadSafetensors(dir, weights);
    }

    static Llama loadSafetensors(Path dir) throws IOException {
        return loadSafetensors(dir, UnaryOperator.identity());
    }

    static Llama loadSafetensors(Path dir, UnaryOperator<ModelFile> weights) throws IOException {
        HfConfig c = HfConfig.read(dir.resolve("config.json"));
        Tokenizer tokenizer = Transformer.siblingTokenizer(dir);
        Path weightsFile = Files.exists(dir.resolve("model.safetensors")) ? dir.resolve("model.safetensors")
                : dir.resolve("model.safetensors.index.json");
        ModelFile file = Transformer.open(weightsFile, weights);
        try {
            Weights w = new Weights(file);
            int d = c.hiddenSize(), heads = c.numAttentionHeads(), kvHeads = c.numKeyValueHeads(), ff = c.intermediateSize();
            if (ff < 0) throw new IllegalArgumentException(dir.getFileName() + "/config.json: intermediate_size expected (0 for an attention-only model), found none");
            Tensor embeddings = w.tensor("model.embed_tokens.weight");
            int vocab = (int) embeddings.shape().dim(0);
            float eps = Double.isNaN(c.rmsNormEps()) ? 1e-6f : (float) c.rmsNormEps();
            Architecture a = new Architecture(Architecture.Family.LLAMA, c.numHiddenLayers(), d, heads, kvHeads, d / heads, ff, vocab,
                    contextOf(c.maxPositionEmbeddings()), Architecture.Norm.RMS_NORM, true, Architecture.Activation.SWIGLU, Architecture.Positions.ROPE, true, eps);
            int kvDim = a.kvDim();
            Layer[] layers = new Layer[a.layers()];
            for (int i = 0; i < layers.length; i++) {
                String p = "model.layers." + i + ".";
                boolean mlp = ff > 0;
                layers[i] = new Layer(
                        w.vector(p + "input_layernorm.weight", d),
                        w.outIn(p + "self_attn.q_proj.weight", d, d),
                        w.outIn(p + "self_attn.k_proj.weight", d, kvDim),
                        w.outIn(p + "self_attn.v_proj.weight", d, kvDim),
                        w.outIn(p + "self_attn.o_proj.weight", d, d),
                        mlp ? w.vector(p + "post_attention_layernorm.weight", d) : null,
                        mlp ? w.outIn(p + "mlp.gate_proj.weight", d, ff) : null,
                        mlp ? w.outIn(p + "mlp.up_proj.weight", d, ff) : null,
                        mlp ? w.outIn(p + "mlp.down_proj.weight", ff, d) : null);
            }
            Matrix head = w.has("lm_head.weight") ? w.outIn("lm_head.weight", d, vocab)
                    : Weights.outIn(embeddings, d, vocab);                           // tied: the embedding table read backwards
            float theta = Double.isNaN(c.ropeTheta()) ? 10000f : (float) c.ropeTheta();
            return new Llama(a, embeddings, layers, w.vector("model.norm.weight", d), head, theta, false,
                    tokenizer, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    static Llama loadGguf(Path path) throws IOException {
        return loadGguf(path, UnaryOperator.identity());
    }

    static Llama loadGguf(Path path, UnaryOperator<ModelFile> weights) throws IOException {
        ModelFile file = Transformer.open(path, weights);
        try {
            GgufMetadata m = GgufMetadata.of(file);
            String arch = m.string("general.architecture");
            if (!arch.equals("llama")) throw new IllegalArgumentException(path.getFileName() + ": general.architecture llama expected, found " + arch);
            Weights w = new Weights(file);
            int d = m.count("llama.embedding_length"), heads = m.count("llama.attention.head_count");
            int kvHeads = m.has("llama.attention.head_count_kv") ? m.count("llama.attention.head_count_kv") : heads;
            int ff = m.count("llama.feed_forward_length"), layerCount = m.count("llama.block_count");
            Tensor embeddings = w.tensor("token_embd.weight");
            int vocab = (int) embeddings.shape().dim(0);
            float eps = (float) m.number("llama.attention.layer_norm_rms_epsilon", 1e-5);
            Architecture a = new Architecture(Architecture.Family.LLAMA, layerCount, d, heads, kvHeads, d / heads, ff, vocab,
                    contextOf(m.count("llama.context_length")), Architecture.Norm.RMS_NORM, true, Architecture.Activation.SWIGLU, Architecture.Positions.ROPE, true, eps);
            int kvDim = a.kvDim();
            Layer[] layers = new Layer[layerCount];
            for (int i = 0; i < layerCount; i++) {
                String p = "blk." + i + ".";
                layers[i] = new Layer(
                        w.vector(p + "attn_norm.weight", d),
                        w.outIn(p + "attn_q.weight", d, d),
                        w.outIn(p + "attn_k.weight", d, kvDim),
                        w.outIn(p + "attn_v.weight", d, kvDim),
                        w.outIn(p + "attn_output.weight", d, d),
                        w.vector(p + "ffn_norm.weight", d),
                        w.outIn(p + "ffn_gate.weight", d, ff),
                        w.outIn(p + "ffn_up.weight", d, ff),
                        w.outIn(p + "ffn_down.weight", ff, d));
            }
            Matrix head = w.has("output.weight") ? w.outIn("output.weight", d, vocab) : Weights.outIn(embeddings, d, vocab);
            // llama.cpp's converter permutes the q and k rows so that RoPE rotates adjacent pairs
            return new Llama(a, embeddings, layers, w.vector("output_norm.weight", d), head,
                    (float) m.number("llama.rope.freq_base", 10000), true, Transformer.ggufTokenizer(file), file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Real models advertise contexts of 100K+ tokens; the KV cache is sized for at most this many. */
    static final int MAX_CONTEXT = 4096;

    static int contextOf(int advertised) { return advertised < 1 ? MAX_CONTEXT : Math.min(advertised, MAX_CONTEXT); }
}
