package dev.glassbox.explorer.training;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.TrainingKernels;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Llama-style decoder that learns: the forward pass of {@link dev.glassbox.explorer.models.Llama#run} over a
 * batch of sequences, keeping what its backward needs, and the backward, block by block in reverse, that adds
 * dLoss/dParameter into each parameter's gradient. Parameters carry their Hugging Face names and layouts, so
 * {@link #save} writes a folder that {@code Llama.load} runs, with logits equal to {@link #logits} bit for bit.
 *
 * <p>RoPE pairs (j, j + d_head/2), as Hugging Face files expect. The loss is the mean cross-entropy over the
 * positions whose target is not -1. Buffers are sized for one (batch, seqLen) and reused while it stays the same,
 * so a training step allocates almost nothing. Not thread-safe: one training loop at a time per model.
 *
 * <p>With a {@link LoraAdapter} attached ({@link #attach}), each adapted projection computes {@code W x + (alpha / r) B A x},
 * the base weights are frozen (the backward skips their matrix gradients) and {@link #trainableParameters()} is the
 * adapter's A and B alone; {@link #mergeAdapter()} folds {@code (alpha / r) B A} into W.
 */
public final class TrainableLlama {
    /** One block's parameters; the MLP ones are null in an attention-only model. */
    private record Block(Parameter attnNorm, Parameter wq, Parameter wk, Parameter wv, Parameter wo,
                         Parameter mlpNorm, Parameter wGate, Parameter wUp, Parameter wDown) {}

    /** What one block's forward keeps for its backward, for one (batch, seqLen). */
    private static final class Saved {
        final float[] xb1, q, k, v, pattern, z, mid, xb2, gate, up, act;
        final float[][] loraU = new float[Projection.values().length][];   // per adapted projection (m, r): (alpha/r) A x

        Saved(LlamaConfig c, int batch, int s) {
            int m = batch * s, d = c.dModel(), kv = c.kvDim(), ff = c.dMlp();
            xb1 = new float[m * d];                                 // (m, d)   input_layernorm(x)
            q = new float[m * d];                                   // (m, heads*dh) after RoPE
            k = new float[m * kv];                                  // (m, kvHeads*dh) after RoPE
            v = new float[m * kv];                                  // (m, kvHeads*dh)
            pattern = new float[batch * c.heads() * s * s];         // (batch, heads, s, s)
            z = new float[m * d];                                   // (m, heads*dh)
            mid = new float[m * d];                                 // (m, d)   resid_mid
            xb2 = new float[m * d];                                 // (m, d)   post_attention_layernorm(mid)
            gate = new float[m * ff];                               // (m, d_mlp) before SiLU
            up = new float[m * ff];                                 // (m, d_mlp)
            act = new float[m * ff];                                // (m, d_mlp) silu(gate) * up
        }
    }

    private final LlamaConfig c;
    private final Parameter embed;          // (vocab, d)
    private final Block[] blocks;
    private final Parameter finalNorm;      // (d,)
    private final Parameter head;           // (vocab, d); the embedding table itself when tied
    private final List<Parameter> parameters;
    private final float[] cos, sin;         // (context, dh/2) RoPE angles

    // buffers for one (batch, seqLen)
    private int batch = -1, seqLen = -1;
    private float[][] resid;                // layers + 1 of (m, d): each block's input, then the final residual
    private Saved[] saved;
    private float[] xf, logits, attnOut, dx, dxb, dq, dk, dv, dz, dAct, dGate, dUp, wT, dyT, loraOut, dU;
    private LoraAdapter adapter;            // null: every parameter trains

    public TrainableLlama(LlamaConfig config) {
        this.c = config;
        int d = c.dModel(), kv = c.kvDim(), ff = c.dMlp();
        List<Parameter> all = new ArrayList<>();
        embed = add(all, Parameter.of("model.embed_tokens.weight", false, c.vocab(), d));
        blocks = new Block[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            Parameter attnNorm = add(all, Parameter.of(p + "input_layernorm.weight", false, d));
            Parameter wq = add(all, Parameter.of(p + "self_attn.q_proj.weight", true, d, d));
            Parameter wk = add(all, Parameter.of(p + "self_attn.k_proj.weight", true, kv, d));
            Parameter wv = add(all, Parameter.of(p + "self_attn.v_proj.weight", true, kv, d));
            Parameter wo = add(all, Parameter.of(p + "self_attn.o_proj.weight", true, d, d));
            Parameter mlpNorm = null, wGate = null, wUp = null, wDown = null;
            if (c.hasMlp()) {
                mlpNorm = add(all, Parameter.of(p + "post_attention_layernorm.weight", false, d));
                wGate = add(all, Parameter.of(p + "mlp.gate_proj.weight", true, ff, d));
                wUp = add(all, Parameter.of(p + "mlp.up_proj.weight", true, ff, d));
                wDown = add(all, Parameter.of(p + "mlp.down_proj.weight", true, d, ff));
            }
            blocks[l] = new Block(attnNorm, wq, wk, wv, wo, mlpNorm, wGate, wUp, wDown);
        }
        finalNorm = add(all, Parameter.of("model.norm.weight", false, d));
        head = c.tiedEmbeddings() ? embed : add(all, Parameter.of("lm_head.weight", true, c.vocab(), d));
        parameters = Collections.unmodifiableList(all);
        cos = new float[c.context() * c.dHead() / 2];
        sin = new float[c.context() * c.dHead() / 2];
        TrainingKernels.ropeTable(cos, sin, c.context(), c.dHead(), (float) c.ropeTheta());
    }

    private static Parameter add(List<Parameter> all, Parameter p) {
        all.add(p);
        return p;
    }

    public LlamaConfig config() { return c; }

    /** Every parameter, in a fixed order (embedding, blocks in order, final norm, head); the tied head is not repeated. */
    public List<Parameter> parameters() { return parameters; }

    /** The parameter with this Hugging Face name. */
    public Parameter parameter(String name) {
        for (Parameter p : parameters) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("parameter " + name + " expected, found none; the parameters are " + parameters);
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.size();
        return n;
    }

    /** What an optimiser should update: every parameter, or with an adapter attached the adapter's A and B alone. */
    public List<Parameter> trainableParameters() { return adapter == null ? parameters : adapter.parameters(); }

    /** How many numbers {@link #trainableParameters()} holds. */
    public long trainableParameterCount() {
        long n = 0;
        for (Parameter p : trainableParameters()) n += p.size();
        return n;
    }

    public void zeroGradients() {
        for (Parameter p : parameters) Arrays.fill(p.grads(), 0f);
        if (adapter != null) for (Parameter p : adapter.parameters()) Arrays.fill(p.grads(), 0f);
    }

    // ---------------------------------------------------------------- LoRA

    /** Attaches a LoRA adapter made for this model's shape; the base weights are frozen while it is attached. */
    public void attach(LoraAdapter lora) {
        if (!lora.config().equals(c)) throw new IllegalArgumentException("an adapter for " + c + " expected, found one for " + lora.config());
        this.adapter = lora;
        this.batch = -1;                        // the buffers gain the adapter's (m, r) activations
    }

    /** The attached adapter, or null. */
    public LoraAdapter adapter() { return adapter; }

    /** Detaches the adapter, leaving the base weights as they were; returns it. */
    public LoraAdapter detach() {
        LoraAdapter lora = adapter;
        adapter = null;
        batch = -1;
        return lora;
    }

    /** W += (alpha / r) B A for every adapted projection, then detaches the adapter: the same function, in the base weights. */
    public void mergeAdapter() {
        if (adapter == null) throw new IllegalStateException("an attached LoRA adapter expected, found none");
        for (int l = 0; l < blocks.length; l++) {
            for (Projection p : adapter.settings().orderedTargets()) adapter.mergeInto(weight(l, p).values(), l, p);
        }
        detach();
    }

    /** A new model whose weights are this one's with the attached adapter (if any) folded in; this one is unchanged. */
    public TrainableLlama merged() {
        TrainableLlama copy = new TrainableLlama(c);
        for (int i = 0; i < parameters.size(); i++) {
            System.arraycopy(parameters.get(i).values(), 0, copy.parameters.get(i).values(), 0, parameters.get(i).size());
        }
        if (adapter != null) {
            for (int l = 0; l < blocks.length; l++) {
                for (Projection p : adapter.settings().orderedTargets()) adapter.mergeInto(copy.weight(l, p).values(), l, p);
            }
        }
        return copy;
    }

    /** The base weight of one projection of block l. */
    public Parameter weight(int l, Projection p) {
        Block w = blocks[l];
        Parameter param = switch (p) {
            case Q -> w.wq();
            case K -> w.wk();
            case V -> w.wv();
            case O -> w.wo();
            case GATE -> w.wGate();
            case UP -> w.wUp();
            case DOWN -> w.wDown();
        };
        if (param == null) throw new IllegalArgumentException("projection " + p.module() + " expected, this model has no MLP");
        return param;
    }

    /**
     * Seeded initialisation, drawn from {@code new java.util.Random(seed).nextGaussian()} through the parameters in
     * {@link #parameters()} order: matrices and the embedding N(0, 0.02^2), the two projections that write into the
     * residual stream (o_proj, down_proj) N(0, (0.02 / sqrt(2 layers))^2) as GPT-2 does, so the residual's variance
     * does not grow with depth; norm gains 1.
     */
    public void initialize(long seed) {
        Random random = new Random(seed);
        double residualStd = 0.02 / Math.sqrt(2.0 * c.layers());
        for (Parameter p : parameters) {
            float[] w = p.values();
            if (p.shape().length == 1) {
                Arrays.fill(w, 1f);
                continue;
            }
            double std = p.name().endsWith("o_proj.weight") || p.name().endsWith("down_proj.weight") ? residualStd : 0.02;
            for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * std);
        }
    }

    // ---------------------------------------------------------------- forward and backward

    /**
     * tokens, targets (batch * seqLen,), sequence after sequence -> the mean cross-entropy over the positions whose
     * target is not -1; dLoss/dParameter is added into every parameter's gradient (call {@link #zeroGradients} first
     * for a fresh step). Returns 0 and adds nothing when every target is -1.
     */
    public float lossAndGradients(int[] tokens, int[] targets, int batch, int seqLen) {
        check(tokens, targets, batch, seqLen);
        int m = batch * seqLen, counted = 0;
        for (int i = 0; i < m; i++) if (targets[i] >= 0) counted++;
        forward(tokens, batch, seqLen);
        float scale = counted == 0 ? 0f : 1f / counted;
        double sum = TrainingKernels.crossEntropy(logits, logits, targets, m, c.vocab(), scale);   // logits become dLoss/dlogits
        if (counted == 0) return 0f;
        backward(tokens);
        return (float) (sum / counted);
    }

    /** A loss of the logits alone, for objectives other than next-token cross-entropy (distillation). */
    @FunctionalInterface
    public interface LogitLoss {
        /**
         * logits (m, vocab) -> the loss, written over {@code logits} with dLoss/dlogits (the array is the model's
         * buffer: read it first, then overwrite it in place).
         */
        double lossAndGradient(float[] logits, int m, int vocab);
    }

    /**
     * The forward over tokens (batch * seqLen,), the loss {@code loss} gives of the logits, and its backward: dLoss/dParameter
     * is added into every trainable parameter's gradient. Returns the loss.
     */
    public float lossAndGradients(int[] tokens, int batch, int seqLen, LogitLoss loss) {
        check(tokens, null, batch, seqLen);
        forward(tokens, batch, seqLen);
        double value = loss.lossAndGradient(logits, batch * seqLen, c.vocab());
        backward(tokens);
        return (float) value;
    }

    /** tokens (batch * seqLen,) -> logits (batch * seqLen, vocab), a fresh array: the forward alone. */
    public float[] logits(int[] tokens, int batch, int seqLen) {
        check(tokens, null, batch, seqLen);
        forward(tokens, batch, seqLen);
        return Arrays.copyOf(logits, batch * seqLen * c.vocab());
    }

    /** The mean cross-entropy of targets given tokens, without gradients (for held-out data). */
    public float loss(int[] tokens, int[] targets, int batch, int seqLen) {
        check(tokens, targets, batch, seqLen);
        int m = batch * seqLen, counted = 0;
        for (int i = 0; i < m; i++) if (targets[i] >= 0) counted++;
        forward(tokens, batch, seqLen);
        double sum = TrainingKernels.crossEntropy(logits, logits, targets, m, c.vocab(), 0f);
        return counted == 0 ? 0f : (float) (sum / counted);
    }

    private void check(int[] tokens, int[] targets, int batch, int seqLen) {
        if (batch < 1 || seqLen < 1 || seqLen > c.context()) {
            throw new IllegalArgumentException("batch >= 1 and seqLen in [1, " + c.context() + "] expected, found batch " + batch + ", seqLen " + seqLen);
        }
        if (tokens.length != batch * seqLen || (targets != null && targets.length != tokens.length)) {
            throw new IllegalArgumentException(batch + " x " + seqLen + " = " + batch * seqLen + " tokens and targets expected, found "
                    + tokens.length + " and " + (targets == null ? "-" : targets.length));
        }
        for (int t : tokens) if (t < 0 || t >= c.vocab()) throw new IllegalArgumentException("token ids in [0, " + c.vocab() + ") expected, found " + t);
        if (targets != null) for (int t : targets) if (t < -1 || t >= c.vocab()) throw new IllegalArgumentException("targets in [0, " + c.vocab() + ") or -1 expected, found " + t);
    }

    private void buffers(int batch, int seqLen) {
        if (batch == this.batch && seqLen == this.seqLen) return;
        int m = batch * seqLen, d = c.dModel(), kv = c.kvDim(), ff = c.dMlp(), vocab = c.vocab();
        resid = new float[c.layers() + 1][m * d];
        saved = new Saved[c.layers()];
        for (int l = 0; l < c.layers(); l++) saved[l] = new Saved(c, batch, seqLen);
        xf = new float[m * d];                          // (m, d) final norm
        logits = new float[m * vocab];                  // (m, vocab), then dLoss/dlogits
        attnOut = new float[m * d];                     // (m, d), reused for the MLP's output
        dx = new float[m * d];                          // (m, d) dLoss/d residual
        dxb = new float[m * d];                         // (m, d) dLoss/d a norm's output
        dq = new float[m * d];
        dk = new float[m * kv];
        dv = new float[m * kv];
        dz = new float[m * d];
        dAct = new float[m * ff];
        dGate = new float[m * ff];
        dUp = new float[m * ff];
        int widest = Math.max(vocab, Math.max(d, ff));
        wT = new float[widest * Math.max(d, ff)];       // a weight transposed to the kernels' (in, out)
        dyT = new float[widest * m];                    // an output gradient transposed, (out, m)
        if (adapter != null) {
            int r = adapter.settings().rank();
            for (Saved a : saved) for (Projection p : adapter.settings().targets()) a.loraU[p.ordinal()] = new float[m * r];
            loraOut = new float[m * Math.max(d, ff)];   // (m, out) B (alpha/r) A x
            dU = new float[m * r];                      // (m, r) dLoss/d (alpha/r) A x
        }
        this.batch = batch;
        this.seqLen = seqLen;
    }

    /** tokens (m,) -> logits (m, vocab), keeping every block's activations in saved[l] and resid[l]. */
    private void forward(int[] tokens, int batch, int s) {
        buffers(batch, s);
        int m = batch * s, d = c.dModel(), kv = c.kvDim(), ff = c.dMlp(), heads = c.heads(), kvHeads = c.kvHeads(), dh = c.dHead();
        float eps = (float) c.rmsEps();

        // embed: one row of the table per token
        float[] x = resid[0];                                                       // (m, d)
        for (int i = 0; i < m; i++) System.arraycopy(embed.values(), tokens[i] * d, x, i * d, d);

        for (int l = 0; l < blocks.length; l++) {
            Block w = blocks[l];
            Saved a = saved[l];
            float[] out = resid[l + 1];                                             // (m, d) the block's output

            // attention: RMSNorm, project, rotate q and k by position, attend to every earlier position, project back
            Kernels.rmsNorm(a.xb1, x, w.attnNorm().values(), m, d, eps);
            project(a.q, a.xb1, l, Projection.Q, m, d, d);                           // (m, heads*dh)
            project(a.k, a.xb1, l, Projection.K, m, d, kv);                          // (m, kvHeads*dh)
            project(a.v, a.xb1, l, Projection.V, m, d, kv);                          // (m, kvHeads*dh)
            TrainingKernels.rope(a.q, cos, sin, m, s, heads, dh, false);
            TrainingKernels.rope(a.k, cos, sin, m, s, kvHeads, dh, false);
            TrainingKernels.attention(a.z, a.pattern, a.q, a.k, a.v, batch, s, heads, kvHeads, dh);
            project(attnOut, a.z, l, Projection.O, m, d, d);                         // (m, d)
            Kernels.add(a.mid, x, attnOut, m * d);
            if (!c.hasMlp()) {                                                      // attention-only: the block ends here
                System.arraycopy(a.mid, 0, out, 0, m * d);
                x = out;
                continue;
            }

            // MLP (SwiGLU): down(silu(gate(x)) * up(x))
            Kernels.rmsNorm(a.xb2, a.mid, w.mlpNorm().values(), m, d, eps);
            project(a.gate, a.xb2, l, Projection.GATE, m, d, ff);                    // (m, d_mlp)
            project(a.up, a.xb2, l, Projection.UP, m, d, ff);                        // (m, d_mlp)
            System.arraycopy(a.gate, 0, a.act, 0, m * ff);
            Kernels.silu(a.act, m * ff);
            Kernels.mul(a.act, a.act, a.up, m * ff);
            project(attnOut, a.act, l, Projection.DOWN, m, ff, d);                   // (m, d)
            Kernels.add(out, a.mid, attnOut, m * d);
            x = out;
        }

        // final RMSNorm, then the unembedding to one logit per vocabulary entry
        Kernels.rmsNorm(xf, x, finalNorm.values(), m, d, eps);
        TrainingKernels.linear(logits, xf, head.values(), wT, m, d, c.vocab());      // (m, vocab)
    }

    /**
     * y (m, out) = x (m, in) W^T for one projection of block l, plus (alpha/r) B A x when it has an adapter; the
     * adapter's (m, r) activation (alpha/r) A x is kept for the backward.
     */
    private void project(float[] y, float[] x, int l, Projection p, int m, int in, int out) {
        TrainingKernels.linear(y, x, weight(l, p).values(), wT, m, in, out);
        Parameter la = adapter == null ? null : adapter.a(l, p);
        if (la == null) return;
        int r = adapter.settings().rank();
        float[] u = saved[l].loraU[p.ordinal()];                                       // (m, r)
        TrainingKernels.linear(u, x, la.values(), wT, m, in, r);
        Kernels.scale(u, adapter.settings().scale(), m * r);
        TrainingKernels.linear(loraOut, u, adapter.b(l, p).values(), wT, m, r, out);   // (m, out)
        Kernels.add(y, y, loraOut, m * out);
    }

    /**
     * The backward of {@link #project}: dx (m, in) += dy W (+ the adapter's path), and the gradient of W, or with an
     * adapter attached of B (dy^T (alpha/r) A x) and A (((alpha/r) dy B)^T x) only.
     */
    private void projectBackward(float[] dx, float[] dy, float[] x, int l, Projection p, int m, int in, int out) {
        Parameter w = weight(l, p);
        TrainingKernels.linearBackward(dx, adapter == null ? w.grads() : null, dy, x, w.values(), dyT, m, in, out);
        Parameter la = adapter == null ? null : adapter.a(l, p);
        if (la == null) return;
        int r = adapter.settings().rank();
        Parameter lb = adapter.b(l, p);
        Arrays.fill(dU, 0f);
        TrainingKernels.linearBackward(dU, lb.grads(), dy, saved[l].loraU[p.ordinal()], lb.values(), dyT, m, r, out);   // (m, r)
        Kernels.scale(dU, adapter.settings().scale(), m * r);
        TrainingKernels.linearBackward(dx, la.grads(), dU, x, la.values(), dyT, m, in, r);
    }

    /** From dLoss/dlogits (in logits) back to every parameter's gradient: the forward's steps mirrored, in reverse. */
    private void backward(int[] tokens) {
        int s = seqLen, m = batch * s, d = c.dModel(), kv = c.kvDim(), ff = c.dMlp(), heads = c.heads(), kvHeads = c.kvHeads(), dh = c.dHead();
        float eps = (float) c.rmsEps();

        // unembedding and final norm: dxf = dlogits @ W_head, dW_head += dlogits^T @ xf, then through the RMSNorm
        Arrays.fill(dxb, 0f);
        TrainingKernels.linearBackward(dxb, adapter == null ? head.grads() : null, logits, xf, head.values(), dyT, m, d, c.vocab());
        Arrays.fill(dx, 0f);
        TrainingKernels.rmsNormBackward(dx, finalNorm.grads(), dxb, resid[blocks.length], finalNorm.values(), m, d, eps);

        for (int l = blocks.length - 1; l >= 0; l--) {
            Block w = blocks[l];
            Saved a = saved[l];
            // dx (m, d): dLoss/d the block's output; below it becomes dLoss/d the block's input

            if (c.hasMlp()) {
                // MLP: out = mid + down(silu(gate) * up); the residual passes dx to mid unchanged
                Arrays.fill(dAct, 0, m * ff, 0f);
                projectBackward(dAct, dx, a.act, l, Projection.DOWN, m, ff, d);                                         // (m, d_mlp)
                TrainingKernels.swigluBackward(dGate, dUp, dAct, a.gate, a.up, m * ff);                                  // (m, d_mlp) each
                Arrays.fill(dxb, 0f);
                projectBackward(dxb, dGate, a.xb2, l, Projection.GATE, m, d, ff);                                        // (m, d)
                projectBackward(dxb, dUp, a.xb2, l, Projection.UP, m, d, ff);
                TrainingKernels.rmsNormBackward(dx, w.mlpNorm().grads(), dxb, a.mid, w.mlpNorm().values(), m, d, eps);   // dx: dLoss/d mid
            }

            // attention: mid = x + o(attend(rope(q), rope(k), v)); the residual passes dx to x unchanged
            Arrays.fill(dz, 0f);
            projectBackward(dz, dx, a.z, l, Projection.O, m, d, d);                                                     // (m, heads*dh)
            TrainingKernels.attentionBackward(dq, dk, dv, dz, a.pattern, a.q, a.k, a.v, batch, s, heads, kvHeads, dh);
            TrainingKernels.ropeBackward(dq, cos, sin, m, s, heads, dh, false);                                         // (m, heads*dh)
            TrainingKernels.ropeBackward(dk, cos, sin, m, s, kvHeads, dh, false);                                       // (m, kvHeads*dh)
            Arrays.fill(dxb, 0f);
            projectBackward(dxb, dq, a.xb1, l, Projection.Q, m, d, d);                                                  // (m, d)
            projectBackward(dxb, dk, a.xb1, l, Projection.K, m, d, kv);
            projectBackward(dxb, dv, a.xb1, l, Projection.V, m, d, kv);
            TrainingKernels.rmsNormBackward(dx, w.attnNorm().grads(), dxb, resid[l], w.attnNorm().values(), m, d, eps); // dx: dLoss/d x
        }

        // embedding: each token's row of the table receives its position's gradient (frozen under an adapter)
        if (adapter == null) TrainingKernels.embeddingBackward(embed.grads(), dx, tokens, m, d);
    }

    // ---------------------------------------------------------------- files

    /** The parameters as F32 tensors under their Hugging Face names, in {@link #parameters()} order. */
    public List<Tensor> tensors() {
        List<Tensor> tensors = new ArrayList<>();
        for (Parameter p : parameters) tensors.add(tensor(p.name(), p.shape(), p.values()));
        return tensors;
    }

    static Tensor tensor(String name, int[] shape, float[] values) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
        return Tensor.of(name, DType.F32, Shape.of(dims), values);
    }

    /** Writes {@code config.json} and {@code model.safetensors} into {@code dir}: a folder {@code Llama.load} reads. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve("config.json"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), Map.of("format", "pt"), tensors());
    }

    /** Reads a folder written by {@link #save} (or any Hugging Face Llama with F32, F16 or BF16 weights). */
    public static TrainableLlama load(Path dir) throws IOException {
        TrainableLlama model = new TrainableLlama(LlamaConfig.read(dir.resolve("config.json")));
        model.readValues(dir.resolve("model.safetensors"), Map.of());
        return model;
    }

    /** Sets every parameter from the tensor of the same name (renamed through {@code alias} if given) in {@code file}. */
    void readValues(Path file, Map<String, String> alias) throws IOException {
        try (ModelFile f = ModelFiles.open(file)) {
            for (Parameter p : parameters) {
                String name = alias.getOrDefault(p.name(), p.name());
                Tensor t = f.find(name).orElseThrow(() -> new IllegalArgumentException(file.getFileName() + ": tensor " + name + " expected, found none"));
                if (t.elementCount() != p.size()) {
                    throw new IllegalArgumentException(file.getFileName() + ": tensor " + name + " of shape " + Arrays.toString(p.shape())
                            + " expected, found " + t.shape());
                }
                t.readFloats(0, p.values(), 0, p.size());
            }
        }
    }

    /** name -> a copy of the values, for tests and displays. */
    public Map<String, float[]> snapshot() {
        Map<String, float[]> map = new LinkedHashMap<>();
        for (Parameter p : parameters) map.put(p.name(), p.values().clone());
        return map;
    }
}
