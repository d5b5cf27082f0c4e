package dev.glassbox.explorer.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.glassbox.explorer.kernels.Numerics.ERFC_P;
import static dev.glassbox.explorer.kernels.Numerics.ERFC_Q;
import static dev.glassbox.explorer.kernels.Numerics.FINITE;
import static dev.glassbox.explorer.kernels.Numerics.GELU_TANH_C;
import static dev.glassbox.explorer.kernels.Numerics.MAX;
import static dev.glassbox.explorer.kernels.Numerics.MIN;
import static dev.glassbox.explorer.kernels.Numerics.SOFTMAX_CUTOFF;
import static dev.glassbox.explorer.kernels.Numerics.SUM;
import static dev.glassbox.explorer.kernels.Numerics.ZEROS;

/**
 * Plain-loop twins of {@link Kernels}, same signatures: the reference each vector kernel is tested
 * against, and the code that runs when {@code glassbox.vector.bits} is 0. Sums whose order the vector
 * kernel keeps (matmul and attention: one chain over k per output) use {@link Math#fma} as the vector
 * FMA does, so those twins agree with their kernels bit for bit.
 */
public final class ScalarKernels {
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ScalarKernels() {}

    // ---------------------------------------------------------------- matmul

    /** x (m,n) @ W -> out (m,d), overwriting out. */
    public static void matmul(float[] out, float[] x, Matrix w, int m) {
        switch (w) {
            case Matrix.F32 f -> matmulPanels(out, x, f, m);
            case Matrix.Q8_0 q -> matmulQuantized(out, x, q.blocks(), false, m, q.n(), q.d());
            case Matrix.Q4_0 q -> matmulQuantized(out, x, q.blocks(), true, m, q.n(), q.d());
        }
    }

    /** x (m,n) @ w (n,d) -> out (m,d): out[i][j] = sum over k in order of x[i][k] * w[k][j]. */
    public static void matmul(float[] out, float[] x, float[] w, int m, int n, int d) {
        for (int i = 0; i < m; i++) {
            Arrays.fill(out, i * d, (i + 1) * d, 0f);
            for (int k = 0; k < n; k++) {
                float xik = x[i * n + k];
                for (int j = 0; j < d; j++) out[i * d + j] = Math.fma(xik, w[k * d + j], out[i * d + j]);
            }
        }
    }

    /** x (m,n) @ W + bias (d,) -> out (m,d): the matmul, then the bias added to each row. */
    public static void linear(float[] out, float[] x, Matrix w, float[] bias, int m) {
        matmul(out, x, w, m);
        addBias(out, bias, m, w.d());
    }

    /** x (m,n) @ W -> out (m,d), reading W where its packed panels keep it: W[k][j] = panels[j0 * n + k * r + (j - j0)]. */
    static void matmulPanels(float[] out, float[] x, Matrix.F32 w, int m) {
        int n = w.n(), d = w.d(), width = w.width();
        float[] panels = w.panels();
        for (int i = 0; i < m; i++) {
            Arrays.fill(out, i * d, (i + 1) * d, 0f);
            for (int k = 0; k < n; k++) {
                float xik = x[i * n + k];
                for (int j0 = 0; j0 < d; j0 += width) {
                    int r = Math.min(width, d - j0), row = j0 * n + k * r - j0;
                    for (int j = j0; j < j0 + r; j++) out[i * d + j] = Math.fma(xik, panels[row + j], out[i * d + j]);
                }
            }
        }
    }

    /** x (m,n) @ W^T -> out (m,d), W being d rows of n/32 Q8_0 (q4 false) or Q4_0 blocks. */
    static void matmulQuantized(float[] out, float[] x, MemorySegment blocks, boolean q4, int m, int n, int d) {
        long rowBytes = (long) (n / 32) * (q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = q4 ? dotQ4_0(blocks, j * rowBytes, x, i * n, n) : dotQ8_0(blocks, j * rowBytes, x, i * n, n);
            }
        }
    }

    /**
     * Q8_0 blocks at byte {@code byteOffset} (n values; per block f16 scale, then 32 int8 q) . x[xOffset, xOffset + n):
     * per block, the quants dotted with x, times the block's scale.
     */
    static float dotQ8_0(MemorySegment blocks, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int k = 0; k < n; k += 32, byteOffset += Matrix.Q8_0_BLOCK_BYTES) {
            float block = 0;
            for (int l = 0; l < 32; l++) block += blocks.get(ValueLayout.JAVA_BYTE, byteOffset + 2 + l) * x[xOffset + k + l];
            sum += Float.float16ToFloat(blocks.get(F16, byteOffset)) * block;
        }
        return sum;
    }

    /** Q4_0 blocks at byte {@code byteOffset} (per block f16 scale, 16 bytes: element l in the low nibble of byte l, l + 16 in its high nibble) . x. */
    static float dotQ4_0(MemorySegment blocks, long byteOffset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int k = 0; k < n; k += 32, byteOffset += Matrix.Q4_0_BLOCK_BYTES) {
            float block = 0;
            for (int l = 0; l < 16; l++) {
                int packed = Byte.toUnsignedInt(blocks.get(ValueLayout.JAVA_BYTE, byteOffset + 2 + l));
                block += ((packed & 0x0F) - 8) * x[xOffset + k + l];
                block += ((packed >>> 4) - 8) * x[xOffset + k + l + 16];
            }
            sum += Float.float16ToFloat(blocks.get(F16, byteOffset)) * block;
        }
        return sum;
    }

    // ---------------------------------------------------------------- elementwise

    /** x (m,d) += bias (d,) on every row. */
    public static void addBias(float[] x, float[] bias, int m, int d) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) x[i * d + j] += bias[j];
        }
    }

    /** a (n,) . b (n,) -> scalar, one element at a time. */
    public static float dot(float[] a, float[] b, int n) {
        return dot(a, 0, b, 0, n);
    }

    /** a[aOffset, aOffset + n) . b[bOffset, bOffset + n), one element at a time. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float result = 0;
        for (int i = 0; i < n; i++) result += a[aOffset + i] * b[bOffset + i];
        return result;
    }

    /** out (n,) = a + b. */
    public static void add(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] + b[i];
    }

    /** out (n,) = a * b elementwise. */
    public static void mul(float[] out, float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] * b[i];
    }

    /** x (n,) *= s. */
    public static void scale(float[] x, float s, int n) {
        for (int i = 0; i < n; i++) x[i] *= s;
    }

    // ---------------------------------------------------------------- softmax and norms

    /** x[offset, offset + n) -> exp(x - max) / sum(exp(x - max)), in place; all -infinity -> all 0. */
    public static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        if (max == Float.NEGATIVE_INFINITY) {                      // nothing to attend to: no weight anywhere
            Arrays.fill(x, offset, offset + n, 0f);
            return;
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float shifted = x[offset + i] - max;
            float e = shifted < SOFTMAX_CUTOFF ? 0f : (float) Math.exp(shifted);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int i = 0; i < n; i++) x[offset + i] *= inverse;
    }

    /** x (rows,n): softmax of each row. */
    public static void softmaxRows(float[] x, int rows, int n) {
        for (int r = 0; r < rows; r++) softmax(x, r * n, n);
    }

    /** x (m,n) -> out (m,n): per row (x - mean) / sqrt(var + eps) * weight + bias, var = mean((x - mean)^2). */
    public static void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int m, int n, float eps) {
        for (int r = 0; r < m; r++) {
            int row = r * n;
            float sum = 0;
            for (int i = 0; i < n; i++) sum += x[row + i];
            float mean = sum / n;
            float var = 0;
            for (int i = 0; i < n; i++) var += (x[row + i] - mean) * (x[row + i] - mean);
            var /= n;
            float rstd = (float) (1 / Math.sqrt(var + eps));
            for (int i = 0; i < n; i++) out[row + i] = (x[row + i] - mean) * rstd * weight[i] + bias[i];
        }
    }

    /** x (m,n) -> out (m,n): per row x / sqrt(mean(x^2) + eps) * weight. */
    public static void rmsNorm(float[] out, float[] x, float[] weight, int m, int n, float eps) {
        for (int r = 0; r < m; r++) {
            int row = r * n;
            float ss = 0;
            for (int i = 0; i < n; i++) ss += x[row + i] * x[row + i];
            float factor = (float) (1 / Math.sqrt(ss / n + eps));
            for (int i = 0; i < n; i++) out[row + i] = x[row + i] * factor * weight[i];
        }
    }

    // ---------------------------------------------------------------- activations

    /** x (n,) -> 0.5 x (1 + erf(x / sqrt 2)), in place. */
    public static void gelu(float[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = gelu(x[i]);
    }

    /**
     * 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2): for x < 0 it is 0.5 x erfc(|x| / sqrt 2) and
     * for x >= 0 it is x - 0.5 x erfc(|x| / sqrt 2). Working from erfc avoids 1 + erf(...) losing all its
     * digits when x is very negative. exp(-x^2 / 2) uses x^2 = hi + lo split exactly with an FMA, since
     * rounding x^2 alone would cost up to 80 * 2^-24 relative error in the exponential.
     */
    static float gelu(float x) {
        float c = Math.min(Math.max(x, -20f), 20f);                // erfc(20 / sqrt 2) is 0 in float; keeps x^2 finite
        float t = 1f / Math.fma(Math.abs(c), ERFC_Q, 1f);
        float p = ERFC_P[10];
        for (int k = 9; k >= 0; k--) p = Math.fma(p, t, ERFC_P[k]);
        float hi = c * c, lo = Math.fma(c, c, -hi);
        float gauss = (float) Math.exp(hi * -0.5f) * Math.fma(lo, -0.5f, 1f);    // exp(-(hi + lo)/2) to first order in lo
        float half = x * 0.5f * (gauss * t * p);
        return x >= 0 ? x - half : half;
    }

    /** x (n,) -> 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), in place. */
    public static void geluTanh(float[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = geluTanh(x[i]);
    }

    /** 0.5 x (1 + tanh(u)) written as x / (1 + exp(-2u)), the same number without 1 + tanh cancelling for u << 0. */
    static float geluTanh(float x) {
        float minus2u = Math.fma(x * x, 0.044715f, 1f) * x * (-2 * GELU_TANH_C);
        return x / ((float) Math.exp(minus2u) + 1f);
    }

    /** x (n,) -> x / (1 + exp(-x)), in place. */
    public static void silu(float[] x, int n) {
        for (int i = 0; i < n; i++) x[i] = x[i] / (1 + (float) Math.exp(-x[i]));
    }

    // ---------------------------------------------------------------- rotary position embedding

    /** theta^(-2j / headDim): how fast pair j turns, in radians per position. */
    static double ropeFrequency(float theta, int j, int headDim) {
        return Math.pow(theta, -2.0 * j / headDim);
    }

    /** x (m, heads*headDim), row i at position startPos + i: each pair of each head turned by position * frequency, in place. */
    public static void rope(float[] x, int m, int heads, int headDim, int startPos, float theta, boolean interleaved) {
        int half = headDim / 2, width = heads * headDim;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < half; j++) {
                double angle = (double) (startPos + i) * ropeFrequency(theta, j, headDim);
                float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int base = i * width + h * headDim;
                    int a = base + (interleaved ? 2 * j : j), b = base + (interleaved ? 2 * j + 1 : j + half);
                    float x1 = x[a], x2 = x[b];
                    x[a] = x1 * c - x2 * s;
                    x[b] = x2 * c + x1 * s;
                }
            }
        }
    }

    // ---------------------------------------------------------------- attention

    /** q (s, heads*headDim), k (t, kvHeads*headDim) -> scores (heads, s, t) = q . k / sqrt(headDim), -inf where causal hides a key. */
    public static void attentionScores(float[] scores, float[] q, float[] k, int s, int t, int heads, int kvHeads,
                                       int headDim, int past, boolean causal) {
        int group = heads / kvHeads;
        float factor = (float) (1 / Math.sqrt(headDim));
        for (int h = 0; h < heads; h++) {
            int kv = h / group;
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < t; j++) {
                    float sum = 0;
                    for (int c = 0; c < headDim; c++) {
                        sum = Math.fma(q[i * heads * headDim + h * headDim + c], k[j * kvHeads * headDim + kv * headDim + c], sum);
                    }
                    scores[(h * s + i) * t + j] = causal && j > past + i ? Float.NEGATIVE_INFINITY : sum * factor;
                }
            }
        }
    }

    /** pattern (heads, s, t) @ v (t, kvHeads*headDim) -> z (s, heads*headDim). */
    public static void attentionValues(float[] z, float[] pattern, float[] v, int s, int t, int heads, int kvHeads, int headDim) {
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int kv = h / group;
            for (int i = 0; i < s; i++) {
                for (int c = 0; c < headDim; c++) {
                    float sum = 0;
                    for (int j = 0; j < t; j++) sum = Math.fma(pattern[(h * s + i) * t + j], v[j * kvHeads * headDim + kv * headDim + c], sum);
                    z[i * heads * headDim + h * headDim + c] = sum;
                }
            }
        }
    }

    // ---------------------------------------------------------------- statistics

    /** x (n,) folded into {@code out = {finite count, min, max, sum, zero count}}, one element at a time. */
    public static void summarize(double[] out, float[] x, int n) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY, total = 0;
        long finite = 0, zeros = 0;
        for (int i = 0; i < n; i++) {
            float v = x[i];
            if (v == 0) zeros++;
            if (!Float.isFinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            total += v;
            finite++;
        }
        out[FINITE] += finite;
        out[MIN] = Math.min(out[MIN], lo);
        out[MAX] = Math.max(out[MAX], hi);
        out[SUM] += total;
        out[ZEROS] += zeros;
    }

    /** x (n,), mean -> sum over the finite values of (x - mean)^2, one element at a time. */
    public static double sumSquaredDeviations(float[] x, int n, float mean) {
        float total = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) continue;
            float dev = x[i] - mean;
            total += dev * dev;
        }
        return total;
    }

    /** x (n,) -> counts (bins,) += values per bin over [lo, hi], one element at a time. */
    public static void histogram(long[] counts, float[] x, int n, float lo, float hi) {
        int bins = counts.length;
        float scale = Numerics.binScale(bins, lo, hi);
        for (int i = 0; i < n; i++) {
            float v = x[i];
            if (v >= lo && v <= hi) counts[Math.min(bins - 1, (int) ((v - lo) * scale))]++;
        }
    }
}
