package dev.glassbox.explorer.kernels;

import java.util.Arrays;

import static dev.glassbox.explorer.kernels.Numerics.ERFC_P;
import static dev.glassbox.explorer.kernels.Numerics.ERFC_Q;
import static dev.glassbox.explorer.kernels.Numerics.GELU_TANH_C;

/**
 * Plain-loop twins of {@link TrainingKernels}, same signatures: the oracle each vector kernel is tested against,
 * and the code that runs when {@code glassbox.vector.bits} is 0. Sums the vector kernels keep in order (matmuls:
 * one FMA chain per output; per-column sums over rows) use the same operations here, so those twins agree bit for
 * bit; sums the vector kernels split over lanes (a row's dot product) agree to float rounding.
 *
 * <p>Conventions: a gradient argument named {@code dx} receives dLoss/dx. Kernels whose doc says "+=" add into
 * their gradient outputs (a parameter's gradient accumulates over uses and over calls; the residual stream's
 * gradient collects every branch); the others overwrite.
 */
public final class ScalarTrainingKernels {
    private ScalarTrainingKernels() {}

    // ---------------------------------------------------------------- matmul and linear layers

    /** x (rows, cols) -> out (cols, rows). */
    public static void transpose(float[] out, float[] x, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
        }
    }

    /** out (m,d) += x (m,n) @ w (n,d): each element's FMA chain starts at its old value and runs k = 0 .. n-1. */
    public static void matmulAdd(float[] out, float[] x, float[] w, int m, int n, int d) {
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < n; k++) {
                float xik = x[i * n + k];
                for (int j = 0; j < d; j++) out[i * d + j] = Math.fma(xik, w[k * d + j], out[i * d + j]);
            }
        }
    }

    /** y (m,d) = x (m,n) @ w^T, w (d,n) in nn.Linear's (out, in) layout; wT (n,d) receives w transposed. */
    public static void linear(float[] y, float[] x, float[] w, float[] wT, int m, int n, int d) {
        transpose(wT, w, d, n);
        ScalarKernels.matmul(y, x, wT, m, n, d);
    }

    /**
     * The backward of {@link #linear}: dx (m,n) += dy (m,d) @ w (d,n) and dw (d,n) += dy^T (d,m) @ x (m,n);
     * dyT (d,m) receives dy transposed. dx may be null when the input needs no gradient, dw when the weight is frozen.
     */
    public static void linearBackward(float[] dx, float[] dw, float[] dy, float[] x, float[] w, float[] dyT, int m, int n, int d) {
        if (dx != null) matmulAdd(dx, dy, w, m, d, n);
        if (dw == null) return;
        transpose(dyT, dy, m, d);
        matmulAdd(dw, dyT, x, d, m, n);
    }

    // ---------------------------------------------------------------- gathers, biases, norms

    /** The backward of an embedding lookup: dTable[tokens[i]] += dx[i] (rows of d), i = 0, 1, ..., m-1 in order. */
    public static void embeddingBackward(float[] dTable, float[] dx, int[] tokens, int m, int d) {
        for (int i = 0; i < m; i++) {
            int row = tokens[i] * d;
            for (int j = 0; j < d; j++) dTable[row + j] += dx[i * d + j];
        }
    }

    /** The backward of x (m,d) += bias (d,): dBias[j] += sum over i = 0 .. m-1 in order of dy[i][j]. */
    public static void biasBackward(float[] dBias, float[] dy, int m, int d) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) dBias[j] += dy[i * d + j];
        }
    }

    /**
     * The backward of y = x * r * w per row, r = 1 / sqrt(mean(x^2) + eps) ({@link Kernels#rmsNorm}):
     * with g = dy * w, dx += r g - x r^3 (g . x) / n, and dWeight += dy * x * r (rows in order).
     */
    public static void rmsNormBackward(float[] dx, float[] dWeight, float[] dy, float[] x, float[] weight, int m, int n, float eps) {
        for (int r = 0; r < m; r++) {
            int row = r * n;
            float ss = 0;
            for (int i = 0; i < n; i++) ss += x[row + i] * x[row + i];
            float factor = (float) (1 / Math.sqrt(ss / n + eps));
            float dot = 0;
            for (int i = 0; i < n; i++) dot += dy[row + i] * weight[i] * x[row + i];
            float c = factor * factor * factor * dot / n;
            for (int i = 0; i < n; i++) {
                dx[row + i] += factor * (dy[row + i] * weight[i]) - x[row + i] * c;
                dWeight[i] += dy[row + i] * (x[row + i] * factor);
            }
        }
    }

    /**
     * The backward of y = xhat * w + b per row, xhat = (x - mean) * rstd ({@link Kernels#layerNorm}):
     * with g = dy * w, dx += rstd (g - mean(g) - xhat mean(g xhat)); dWeight += dy * xhat; dBias += dy.
     */
    public static void layerNormBackward(float[] dx, float[] dWeight, float[] dBias, float[] dy, float[] x, float[] weight,
                                         int m, int n, float eps) {
        for (int r = 0; r < m; r++) {
            int row = r * n;
            float sum = 0;
            for (int i = 0; i < n; i++) sum += x[row + i];
            float mean = sum / n;
            float var = 0;
            for (int i = 0; i < n; i++) var += (x[row + i] - mean) * (x[row + i] - mean);
            var /= n;
            float rstd = (float) (1 / Math.sqrt(var + eps));
            float sumG = 0, sumGXhat = 0;
            for (int i = 0; i < n; i++) {
                float g = dy[row + i] * weight[i], xhat = (x[row + i] - mean) * rstd;
                sumG += g;
                sumGXhat += g * xhat;
            }
            float meanG = sumG / n, meanGXhat = sumGXhat / n;
            for (int i = 0; i < n; i++) {
                float g = dy[row + i] * weight[i], xhat = (x[row + i] - mean) * rstd;
                dx[row + i] += rstd * (g - meanG - xhat * meanGXhat);
                dWeight[i] += dy[row + i] * xhat;
                dBias[i] += dy[row + i];
            }
        }
    }

    // ---------------------------------------------------------------- softmax and attention

    /** The backward of y = softmax(x) per row of (rows, n): dx = y * (dy - dy . y); dx may be dy. */
    public static void softmaxBackward(float[] dx, float[] dy, float[] y, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int row = r * n;
            float dot = 0;
            for (int j = 0; j < n; j++) dot += dy[row + j] * y[row + j];
            for (int j = 0; j < n; j++) dx[row + j] = y[row + j] * (dy[row + j] - dot);
        }
    }

    /**
     * Causal self-attention over a batch of sequences of s tokens each: q (batch*s, heads*dh), k and v
     * (batch*s, kvHeads*dh) -> z (batch*s, heads*dh), keeping the pattern (batch, heads, s, s) for the backward.
     * Head h reads kv head h / (heads / kvHeads); scores q.k / sqrt(dh), keys after the query get weight 0.
     */
    public static void attention(float[] z, float[] pattern, float[] q, float[] k, float[] v,
                                 int batch, int s, int heads, int kvHeads, int dh) {
        int group = heads / kvHeads, width = heads * dh, kvWidth = kvHeads * dh;
        float factor = (float) (1 / Math.sqrt(dh));
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kv = h / group, at = (b * heads + h) * s * s;
                for (int i = 0; i < s; i++) {
                    for (int j = 0; j < s; j++) {
                        float sum = 0;
                        for (int c = 0; c < dh; c++) sum = Math.fma(q[(b * s + i) * width + h * dh + c], k[(b * s + j) * kvWidth + kv * dh + c], sum);
                        pattern[at + i * s + j] = j > i ? Float.NEGATIVE_INFINITY : sum * factor;
                    }
                    ScalarKernels.softmax(pattern, at + i * s, s);
                }
                for (int i = 0; i < s; i++) {
                    for (int c = 0; c < dh; c++) {
                        float sum = 0;
                        for (int j = 0; j < s; j++) sum = Math.fma(pattern[at + i * s + j], v[(b * s + j) * kvWidth + kv * dh + c], sum);
                        z[(b * s + i) * width + h * dh + c] = sum;
                    }
                }
            }
        }
    }

    /**
     * The backward of {@link #attention}, overwriting dq (batch*s, heads*dh), dk and dv (batch*s, kvHeads*dh):
     * per head, dP = dZ V^T, dV += P^T dZ, dS = softmaxBackward(dP) / sqrt(dh), dQ = dS K, dK += dS^T Q;
     * the heads sharing a kv head add into its dK and dV in ascending order.
     */
    public static void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dz, float[] pattern, float[] q,
                                         float[] k, float[] v, int batch, int s, int heads, int kvHeads, int dh) {
        int group = heads / kvHeads, width = heads * dh, kvWidth = kvHeads * dh;
        float factor = (float) (1 / Math.sqrt(dh));
        Arrays.fill(dk, 0, batch * s * kvWidth, 0f);
        Arrays.fill(dv, 0, batch * s * kvWidth, 0f);
        float[] dS = new float[s * s];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kv = h / group, at = (b * heads + h) * s * s;
                for (int i = 0; i < s; i++) {                   // dP (s,s) = dZ_h (s,dh) @ V^T
                    for (int j = 0; j < s; j++) {
                        float sum = 0;
                        for (int c = 0; c < dh; c++) sum = Math.fma(dz[(b * s + i) * width + h * dh + c], v[(b * s + j) * kvWidth + kv * dh + c], sum);
                        dS[i * s + j] = sum;
                    }
                }
                for (int j = 0; j < s; j++) {                   // dV (s,dh) += P^T (s,s) @ dZ_h
                    for (int c = 0; c < dh; c++) {
                        int o = (b * s + j) * kvWidth + kv * dh + c;
                        float sum = dv[o];
                        for (int i = 0; i < s; i++) sum = Math.fma(pattern[at + i * s + j], dz[(b * s + i) * width + h * dh + c], sum);
                        dv[o] = sum;
                    }
                }
                softmaxBackward(dS, dS, Arrays.copyOfRange(pattern, at, at + s * s), s, s);
                for (int e = 0; e < s * s; e++) dS[e] *= factor;
                for (int i = 0; i < s; i++) {                   // dQ_h (s,dh) = dS (s,s) @ K
                    for (int c = 0; c < dh; c++) {
                        float sum = 0;
                        for (int j = 0; j < s; j++) sum = Math.fma(dS[i * s + j], k[(b * s + j) * kvWidth + kv * dh + c], sum);
                        dq[(b * s + i) * width + h * dh + c] = sum;
                    }
                }
                for (int j = 0; j < s; j++) {                   // dK (s,dh) += dS^T (s,s) @ Q_h
                    for (int c = 0; c < dh; c++) {
                        int o = (b * s + j) * kvWidth + kv * dh + c;
                        float sum = dk[o];
                        for (int i = 0; i < s; i++) sum = Math.fma(dS[i * s + j], q[(b * s + i) * width + h * dh + c], sum);
                        dk[o] = sum;
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- rotary position embedding

    /**
     * cos, sin (positions, headDim/2): the angle of pair j at position p is p * theta^(-2j/headDim). Computed as
     * {@link Kernels#rope} turns its angles (exactly at position 0, then by the angle-addition formulas, in double),
     * so rotating with this table gives the same floats as the inference kernel.
     */
    public static void ropeTable(float[] cos, float[] sin, int positions, int headDim, float theta) {
        int half = headDim / 2;
        for (int j = 0; j < half; j++) {
            double freq = ScalarKernels.ropeFrequency(theta, j, headDim);
            double cosStep = Math.cos(freq), sinStep = Math.sin(freq), c = 1, sn = 0;
            for (int p = 0; p < positions; p++) {
                cos[p * half + j] = (float) c;
                sin[p * half + j] = (float) sn;
                double next = c * cosStep - sn * sinStep;
                sn = sn * cosStep + c * sinStep;
                c = next;
            }
        }
    }

    /**
     * x (m, heads*headDim), row i at position i % s (a batch of sequences of s tokens), rotated in place by the
     * table's angles; interleaved pairs (2j, 2j+1), otherwise (j, j + headDim/2) as Hugging Face does.
     */
    public static void rope(float[] x, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean interleaved) {
        rotate(x, cos, sin, m, s, heads, headDim, interleaved, 1f);
    }

    /** The backward of {@link #rope}: a rotation's gradient is the inverse rotation, by the negated angles; in place. */
    public static void ropeBackward(float[] dx, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean interleaved) {
        rotate(dx, cos, sin, m, s, heads, headDim, interleaved, -1f);
    }

    private static void rotate(float[] x, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean interleaved, float sign) {
        int half = headDim / 2, width = heads * headDim;
        for (int i = 0; i < m; i++) {
            int p = (i % s) * half;
            for (int h = 0; h < heads; h++) {
                int base = i * width + h * headDim;
                for (int j = 0; j < half; j++) {
                    float c = cos[p + j], sn = sign * sin[p + j];
                    int a = base + (interleaved ? 2 * j : j), b = base + (interleaved ? 2 * j + 1 : j + half);
                    float x1 = x[a], x2 = x[b];
                    x[a] = x1 * c - x2 * sn;
                    x[b] = x2 * c + x1 * sn;
                }
            }
        }
    }

    // ---------------------------------------------------------------- activations

    /** The backward of y = silu(x) = x sigmoid(x): dx = dy * sigmoid(x) (1 + x (1 - sigmoid(x))); dx may be dy. */
    public static void siluBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            float sig = 1f / (1f + (float) Math.exp(-x[i]));
            dx[i] = dy[i] * (sig * (1f + x[i] * (1f - sig)));
        }
    }

    /**
     * The backward of SwiGLU, h = silu(gate) * up (gate before the activation): dGate = dh * up * silu'(gate),
     * dUp = dh * silu(gate); both overwritten.
     */
    public static void swigluBackward(float[] dGate, float[] dUp, float[] dh, float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i], sig = 1f / (1f + (float) Math.exp(-g));
            float grad = dh[i];
            dUp[i] = grad * (g * sig);
            dGate[i] = grad * up[i] * (sig * (1f + g * (1f - sig)));
        }
    }

    /** The backward of the exact GELU x Phi(x): dx = dy * (Phi(x) + x phi(x)); dx may be dy. */
    public static void geluBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) dx[i] = dy[i] * geluSlope(x[i]);
    }

    /**
     * Phi(x) + x phi(x), from erfc(|x| / sqrt 2) = exp(-x^2/2) t P(t) as in {@link ScalarKernels#gelu}:
     * Phi(x) = 0.5 erfc for x < 0 and 1 - 0.5 erfc otherwise; phi(x) = exp(-x^2/2) / sqrt(2 pi).
     */
    static float geluSlope(float x) {
        float c = Math.min(Math.max(x, -20f), 20f);
        float t = 1f / Math.fma(Math.abs(c), ERFC_Q, 1f);
        float p = ERFC_P[10];
        for (int k = 9; k >= 0; k--) p = Math.fma(p, t, ERFC_P[k]);
        float gauss = (float) Math.exp(c * c * -0.5f);
        float halfErfc = 0.5f * (gauss * t * p);
        float cdf = x >= 0 ? 1f - halfErfc : halfErfc;
        return cdf + x * (gauss * INV_SQRT_2PI);
    }

    static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /**
     * The backward of GPT-2's GELU x sigmoid(2u), u = c (x + 0.044715 x^3):
     * dx = dy * (sig + x sig (1 - sig) 2c (1 + 3 * 0.044715 x^2)), sig = sigmoid(2u); dx may be dy.
     */
    public static void geluTanhBackward(float[] dx, float[] dy, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float minus2u = Math.fma(v * v, 0.044715f, 1f) * v * (-2 * GELU_TANH_C);
            float sig = 1f / ((float) Math.exp(minus2u) + 1f);
            float du = Math.fma(v * v, 3 * 0.044715f, 1f) * (2 * GELU_TANH_C);
            dx[i] = dy[i] * (sig + v * sig * (1f - sig) * du);
        }
    }

    // ---------------------------------------------------------------- loss

    /**
     * Softmax cross-entropy per row of logits (m, vocab) against targets (m,) (-1 = ignored), fused with its backward:
     * returns the sum over the counted rows of logsumexp(row) - row[target], added in row order in double;
     * dLogits (m, vocab) = scale * (softmax(row) - onehot(target)) on counted rows and 0 on ignored ones.
     * dLogits may be logits.
     */
    public static double crossEntropy(float[] dLogits, float[] logits, int[] targets, int m, int vocab, float scale) {
        double total = 0;
        for (int r = 0; r < m; r++) total += crossEntropyRow(dLogits, logits, targets[r], r * vocab, vocab, scale);
        return total;
    }

    static double crossEntropyRow(float[] dLogits, float[] logits, int target, int row, int vocab, float scale) {
        if (target < 0) {
            Arrays.fill(dLogits, row, row + vocab, 0f);
            return 0;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < vocab; j++) max = Math.max(max, logits[row + j]);
        float sum = 0;
        for (int j = 0; j < vocab; j++) sum += (float) Math.exp(logits[row + j] - max);
        double loss = Math.log(sum) + max - logits[row + target];
        float inverse = scale / sum;
        for (int j = 0; j < vocab; j++) dLogits[row + j] = (float) Math.exp(logits[row + j] - max) * inverse;
        dLogits[row + target] -= scale;
        return loss;
    }

    // ---------------------------------------------------------------- optimizer

    /**
     * One AdamW step on n parameters (PyTorch's formula, decoupled weight decay):
     * p -= lr wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr (m / c1) / (sqrt(v / c2) + eps),
     * with c1 = 1 - b1^t and c2 = 1 - b2^t given as bias1, bias2.
     */
    public static void adamw(float[] p, float[] m, float[] v, float[] g, int n, float lr, float beta1, float beta2,
                             float eps, float weightDecay, float bias1, float bias2) {
        float decay = 1f - lr * weightDecay;
        for (int i = 0; i < n; i++) {
            float grad = g[i];
            float mi = beta1 * m[i] + (1f - beta1) * grad;
            float vi = beta2 * v[i] + (1f - beta2) * (grad * grad);
            m[i] = mi;
            v[i] = vi;
            float denominator = (float) Math.sqrt(vi / bias2) + eps;
            p[i] = p[i] * decay - lr * ((mi / bias1) / denominator);
        }
    }

    /** sum of x[i]^2 for i < n, in double, in order: for the global gradient norm. */
    public static double sumOfSquares(float[] x, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) x[i] * x[i];
        return sum;
    }
}
