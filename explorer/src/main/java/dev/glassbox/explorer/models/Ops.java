package dev.glassbox.explorer.models;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.kernels.ScalarKernels;

/**
 * Every numeric operation a forward pass does, and nothing else: the families call no kernel except through
 * here (OpsTest checks their bytecode). The built-in set runs the Vector API kernels; {@link #SCALAR} runs the
 * plain-loop twins; a learner overrides one method to plug in their own kernel for one run:
 * <pre>
 * Ops mine = new Ops() {
 *     public void softmaxRows(float[] x, int rows, int n) { ... my softmax ... }
 * };
 * model.run(tokens, Hooks.none(), mine);
 * </pre>
 */
public interface Ops {
    /** The Vector API kernels. */
    Ops BUILT_IN = new Ops() {
        @Override public void linear(float[] out, float[] x, Matrix w, float[] bias, int m) { Kernels.linear(out, x, w, bias, m); }
    };

    /** The plain-loop twins, one element at a time: the same numbers, slower. */
    Ops SCALAR = new Ops() {
        @Override public void matmul(float[] out, float[] x, Matrix w, int m) { ScalarKernels.matmul(out, x, w, m); }
        @Override public void softmaxRows(float[] x, int rows, int n) { ScalarKernels.softmaxRows(x, rows, n); }
        @Override public void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int m, int n, float eps) { ScalarKernels.layerNorm(out, x, weight, bias, m, n, eps); }
        @Override public void rmsNorm(float[] out, float[] x, float[] weight, int m, int n, float eps) { ScalarKernels.rmsNorm(out, x, weight, m, n, eps); }
        @Override public void gelu(float[] x, int n) { ScalarKernels.gelu(x, n); }
        @Override public void geluTanh(float[] x, int n) { ScalarKernels.geluTanh(x, n); }
        @Override public void silu(float[] x, int n) { ScalarKernels.silu(x, n); }
        @Override public void rope(float[] x, int m, int heads, int headDim, int startPos, float theta, boolean interleaved) { ScalarKernels.rope(x, m, heads, headDim, startPos, theta, interleaved); }
        @Override public void attentionScores(float[] scores, float[] q, float[] k, int s, int t, int heads, int kvHeads, int headDim, int past, boolean causal) { ScalarKernels.attentionScores(scores, q, k, s, t, heads, kvHeads, headDim, past, causal); }
        @Override public void attentionValues(float[] z, float[] pattern, float[] v, int s, int t, int heads, int kvHeads, int headDim) { ScalarKernels.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim); }
        @Override public void add(float[] out, float[] a, float[] b, int n) { ScalarKernels.add(out, a, b, n); }
        @Override public void mul(float[] out, float[] a, float[] b, int n) { ScalarKernels.mul(out, a, b, n); }
        @Override public void addBias(float[] x, float[] bias, int m, int d) { ScalarKernels.addBias(x, bias, m, d); }
    };

    /** x (m,n) @ W (n,d) -> out (m,d). */
    default void matmul(float[] out, float[] x, Matrix w, int m) { Kernels.matmul(out, x, w, m); }

    /**
     * A linear layer, x (m,n) @ W + bias -> out (m,d): {@link #matmul}, then {@link #addBias}, so a set that replaces
     * either one is used here too. The built-in set adds the bias as each part of the product is finished (the same numbers).
     */
    default void linear(float[] out, float[] x, Matrix w, float[] bias, int m) {
        matmul(out, x, w, m);
        addBias(out, bias, m, w.d());
    }

    /** Each row of x (rows,n) -> softmax of that row, in place. */
    default void softmaxRows(float[] x, int rows, int n) { Kernels.softmaxRows(x, rows, n); }

    /** Per row of x (m,n): (x - mean) / sqrt(var + eps) * weight + bias. */
    default void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int m, int n, float eps) { Kernels.layerNorm(out, x, weight, bias, m, n, eps); }

    /** Per row of x (m,n): x / sqrt(mean(x^2) + eps) * weight. */
    default void rmsNorm(float[] out, float[] x, float[] weight, int m, int n, float eps) { Kernels.rmsNorm(out, x, weight, m, n, eps); }

    /** x (n,) -> 0.5 x (1 + erf(x / sqrt 2)), in place. */
    default void gelu(float[] x, int n) { Kernels.gelu(x, n); }

    /** x (n,) -> 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in place. */
    default void geluTanh(float[] x, int n) { Kernels.geluTanh(x, n); }

    /** x (n,) -> x * sigmoid(x), in place. */
    default void silu(float[] x, int n) { Kernels.silu(x, n); }

    /** Rotates each (m, heads * headDim) row by its position's angles. */
    default void rope(float[] x, int m, int heads, int headDim, int startPos, float theta, boolean interleaved) { Kernels.rope(x, m, heads, headDim, startPos, theta, interleaved); }

    /** a (n,) + b (n,) -> out (n,), element by element: the residual adds. */
    default void add(float[] out, float[] a, float[] b, int n) { Kernels.add(out, a, b, n); }

    /** a (n,) * b (n,) -> out (n,), element by element: SwiGLU's gate times up. */
    default void mul(float[] out, float[] a, float[] b, int n) { Kernels.mul(out, a, b, n); }

    /** bias (d,) added to every row of x (m,d), in place. */
    default void addBias(float[] x, float[] bias, int m, int d) { Kernels.addBias(x, bias, m, d); }

    /** q (s, heads*headDim), k (t, kvHeads*headDim) -> scores (heads, s, t) = q.k / sqrt(headDim), masked. */
    default void attentionScores(float[] scores, float[] q, float[] k, int s, int t, int heads, int kvHeads, int headDim, int past, boolean causal) { Kernels.attentionScores(scores, q, k, s, t, heads, kvHeads, headDim, past, causal); }

    /** pattern (heads, s, t) @ v (t, kvHeads*headDim) -> z (s, heads*headDim). */
    default void attentionValues(float[] z, float[] pattern, float[] v, int s, int t, int heads, int kvHeads, int headDim) { Kernels.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim); }
}
