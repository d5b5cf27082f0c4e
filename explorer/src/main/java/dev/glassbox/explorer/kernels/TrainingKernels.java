package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.glassbox.explorer.kernels.Numerics.ERFC_P;
import static dev.glassbox.explorer.kernels.Numerics.ERFC_Q;
import static dev.glassbox.explorer.kernels.Numerics.GELU_TANH_C;

/**
 * The kernels of training, written with the Vector API: the backward of each forward kernel, a batched causal
 * attention that keeps its pattern, the fused softmax cross-entropy and the AdamW update. Static, pure (apart from
 * per-thread scratch for attention), output first, sizes explicit; {@link ScalarTrainingKernels} holds the twin of
 * each, with the conventions ("+=" for accumulated gradients) described there.
 *
 * <p>Agreement with the twins: the matmuls and the linear layers, transpose, embedding, bias and RoPE backward and
 * AdamW are bit for bit equal (same operations per element, sums in the same order); the kernels that reduce a row
 * across vector lanes (norm, softmax, attention and SiLU/GELU backward, cross-entropy, whose exp also differs in
 * its last bit) agree within a few float roundings, about 1e-6 relative.
 *
 * <p>Determinism: every reduction has one fixed order that depends on the sizes and the vector width only.
 * Work is split over threads by output elements (matmul column panels, attention by (sequence, kv head),
 * cross-entropy by rows), never along a sum, so one thread and two threads give the same bits.
 */
public final class TrainingKernels {
    private static final boolean SCALAR = Kernels.vectorBits() == 0;
    private static final VectorSpecies<Float> SPECIES = Kernels.SPECIES;
    private static final int L = SPECIES.length();
    /** Per-thread scratch for attention (a few (s,s) and (dh,s) blocks), grown on demand and then reused. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private TrainingKernels() {}

    private static float[] scratch(int slot, int size) {
        float[][] all = SCRATCH.get();
        if (all[slot].length < size) all[slot] = new float[size];
        return all[slot];
    }

    /** How many threads a job of `work` multiply-adds gets, at most one per unit. */
    private static int parts(long work, int units) {
        int threads = Workers.threads();
        if (threads == 1 || work < Kernels.PARALLEL_MIN) return 1;
        return Math.max(1, Math.min(threads, units));
    }

    // ---------------------------------------------------------------- matmul and linear layers

    /** x (rows, cols) -> out (cols, rows), in 32 x 32 tiles so both sides move a cache line at a time. */
    public static void transpose(float[] out, float[] x, int rows, int cols) {
        assert out.length >= rows * cols && x.length >= rows * cols;
        int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            for (int j0 = 0; j0 < cols; j0 += tile) {
                for (int i = i0, iEnd = Math.min(rows, i0 + tile); i < iEnd; i++) {
                    for (int j = j0, jEnd = Math.min(cols, j0 + tile); j < jEnd; j++) out[j * rows + i] = x[i * cols + j];
                }
            }
        }
    }

    /** out (m,d) += x (m,n) @ w (n,d): register-tiled ({@link Tiles}), split over column panels when large. */
    public static void matmulAdd(float[] out, float[] x, float[] w, int m, int n, int d) {
        if (SCALAR) {
            ScalarTrainingKernels.matmulAdd(out, x, w, m, n, d);
            return;
        }
        assert x.length >= m * n && w.length >= n * d && out.length >= m * d;
        int panels = (d + Tiles.WIDE - 1) / Tiles.WIDE;
        int parts = parts((long) m * n * d, panels);
        if (parts == 1) {
            Tiles.gemm(out, 0, d, x, 0, n, w, 0, d, m, n, 0, d, true);
            return;
        }
        int chunk = (panels + parts - 1) / parts * Tiles.WIDE;
        Workers.run(parts, p -> {
            int j0 = p * chunk, j1 = Math.min(d, j0 + chunk);
            if (j0 < j1) Tiles.gemm(out, 0, d, x, 0, n, w, 0, d, m, n, j0, j1, true);
        });
    }

    /** y (m,d) = x (m,n) @ w^T, w (d,n) in nn.Linear's (out, in) layout; wT (n,d) receives w transposed. */
    public static void linear(float[] y, float[] x, float[] w, float[] wT, int m, int n, int d) {
        if (SCALAR) {
            ScalarTrainingKernels.linear(y, x, w, wT, m, n, d);
            return;
        }
        transpose(wT, w, d, n);
        Kernels.matmul(y, x, wT, m, n, d);
    }

    /**
     * The backward of {@link #linear}: dx (m,n) += dy (m,d) @ w (d,n) and dw (d,n) += dy^T (d,m) @ x (m,n);
     * dyT (d,m) receives dy transposed. dx may be null when the input needs no gradient, dw when the weight is frozen.
     */
    public static void linearBackward(float[] dx, float[] dw, float[] dy, float[] x, float[] w, float[] dyT, int m, int n, int d) {
        if (SCALAR) {
            ScalarTrainingKernels.linearBackward(dx, dw, dy, x, w, dyT, m, n, d);
            return;
        }
        if (dx != null) matmulAdd(dx, dy, w, m, d, n);
        if (dw == null) return;
        transpose(dyT, dy, m, d);
        matmulAdd(dw, dyT, x, d, m, n);
    }

    // ---------------------------------------------------------------- gathers, biases, norms

    /** dTable[tokens[i]] += dx[i] (rows of d), i in order. */
    public static void embeddingBackward(float[] dTable, float[] dx, int[] tokens, int m, int d) {
        if (SCALAR) {
            ScalarTrainingKernels.embeddingBackward(dTable, dx, tokens, m, d);
            return;
        }
        for (int i = 0; i < m; i++) addRow(dTable, tokens[i] * d, dx, i * d, d);
    }

    /** a[ao, ao + n) += b[bo, bo + n). */
    private static void addRow(float[] a, int ao, float[] b, int bo, int n) {
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += L) {
            FloatVector.fromArray(SPECIES, a, ao + j).add(FloatVector.fromArray(SPECIES, b, bo + j)).intoArray(a, ao + j);
        }
        for (; j < n; j++) a[ao + j] += b[bo + j];
    }

    /** dBias[j] += sum over rows i in order of dy[i][j]. */
    public static void biasBackward(float[] dBias, float[] dy, int m, int d) {
        if (SCALAR) {
            ScalarTrainingKernels.biasBackward(dBias, dy, m, d);
            return;
        }
        for (int i = 0; i < m; i++) addRow(dBias, 0, dy, i * d, d);
    }

    /** dx += r g - x r^3 (g . x) / n with g = dy * w, r = 1 / sqrt(mean(x^2) + eps); dWeight += dy * x * r. */
    public static void rmsNormBackward(float[] dx, float[] dWeight, float[] dy, float[] x, float[] weight, int m, int n, float eps) {
        if (SCALAR) {
            ScalarTrainingKernels.rmsNormBackward(dx, dWeight, dy, x, weight, m, n, eps);
            return;
        }
        int bound = SPECIES.loopBound(n);
        for (int r = 0; r < m; r++) {
            int row = r * n, i = 0;
            FloatVector squares = FloatVector.zero(SPECIES), dots = FloatVector.zero(SPECIES);
            for (; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, row + i);
                squares = xv.fma(xv, squares);
                dots = FloatVector.fromArray(SPECIES, dy, row + i).mul(FloatVector.fromArray(SPECIES, weight, i)).fma(xv, dots);
            }
            float ss = Kernels.sumLanes(squares), dot = Kernels.sumLanes(dots);
            for (; i < n; i++) {
                ss += x[row + i] * x[row + i];
                dot += dy[row + i] * weight[i] * x[row + i];
            }
            float factor = (float) (1 / Math.sqrt(ss / n + eps));
            float c = factor * factor * factor * dot / n;
            for (i = 0; i < bound; i += L) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, row + i), dyv = FloatVector.fromArray(SPECIES, dy, row + i);
                FloatVector g = dyv.mul(FloatVector.fromArray(SPECIES, weight, i));
                FloatVector.fromArray(SPECIES, dx, row + i).add(g.mul(factor).sub(xv.mul(c))).intoArray(dx, row + i);
                FloatVector.fromArray(SPECIES, dWeight, i).add(dyv.mul(xv.mul(factor))).intoArray(dWeight, i);
            }
            for (; i < n; i++) {
                dx[row + i] += factor * (dy[row + i] * weight[i]) - x[row + i] * c;
                dWeight[i] += dy[row + i] * (x[row + i] * factor);
            }
        }
    }

    /** dx += rstd (g - mean(g) - xhat mean(g xhat)) with g = dy * w; dWeight += dy * xhat; dBias += dy. */
    public static void layerNormBackward(float[] dx, float[] dWeight, float[] dBias, float[] dy, float[] x, float[] weight,
                                         int m, int n, float eps) {
        if (SCALAR) {
            ScalarTrainingKernels.layerNormBackward(dx, dWeight, dBias, dy, x, weight, m, n, eps);
            return;
        }
        int bound = SPECIES.loopBound(n);
        for (int r = 0; r < m; r++) {
            int row = r * n, i = 0;
            FloatVector sums = FloatVector.zero(SPECIES);
            for (; i < bound; i += L) sums = sums.add(FloatVector.fromArray(SPECIES, x, row + i));
            float sum = Kernels.sumLanes(sums);
            for (; i < n; i++) sum += x[row + i];
            float mean = sum / n;
            FloatVector squares = FloatVector.zero(SPECIES);
            for (i = 0; i < bound; i += L) {
                FloatVector dev = FloatVector.fromArray(SPECIES, x, row + i).sub(mean);
                squares = dev.fma(dev, squares);
            }
            float var = Kernels.sumLanes(squares);
            for (; i < n; i++) var += (x[row + i] - mean) * (x[row + i] - mean);
            var /= n;
            float rstd = (float) (1 / Math.sqrt(var + eps));
            FloatVector gs = FloatVector.zero(SPECIES), gxs = FloatVector.zero(SPECIES);
            for (i = 0; i < bound; i += L) {
                FloatVector g = FloatVector.fromArray(SPECIES, dy, row + i).mul(FloatVector.fromArray(SPECIES, weight, i));
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, row + i).sub(mean).mul(rstd);
                gs = gs.add(g);
                gxs = g.fma(xhat, gxs);
            }
            float sumG = Kernels.sumLanes(gs), sumGXhat = Kernels.sumLanes(gxs);
            for (; i < n; i++) {
                float g = dy[row + i] * weight[i], xhat = (x[row + i] - mean) * rstd;
                sumG += g;
                sumGXhat += g * xhat;
            }
            float meanG = sumG / n, meanGXhat = sumGXhat / n;
            for (i = 0; i < bound; i += L) {
                FloatVector dyv = FloatVector.fromArray(SPECIES, dy, row + i);
                FloatVector g = dyv.mul(FloatVector.fromArray(SPECIES, weight, i));
                FloatVector xhat = FloatVector.fromArray(SPECIES, x, row + i).sub(mean).mul(rstd);
                FloatVector.fromArray(SPECIES, dx, row + i).add(g.sub(meanG).sub(xhat.mul(meanGXhat)).mul(rstd)).intoArray(dx, row + i);
                FloatVector.fromArray(SPECIES, dWeight, i).add(dyv.mul(xhat)).intoArray(dWeight, i);
                FloatVector.fromArray(SPECIES, dBias, i).add(dyv).intoArray(dBias, i);
            }
            for (; i < n; i++) {
                float g = dy[row + i] * weight[i], xhat = (x[row + i] - mean) * rstd;
                dx[row + i] += rstd * (g - meanG - xhat * meanGXhat);
                dWeight[i] += dy[row + i] * xhat;
                dBias[i] += dy[row + i];
            }
        }
    }

    // ---------------------------------------------------------------- softmax and attention

    /** dx = y * (dy - dy . y) per row of (rows, n); dx may be dy. */
    public static void softmaxBackward(float[] dx, float[] dy, float[] y, int rows, int n) {
        if (SCALAR) {
            ScalarTrainingKernels.softmaxBackward(dx, dy, y, rows, n);
            return;
        }
        for (int r = 0; r < rows; r++) softmaxBackwardRow(dx, r * n, dy, r * n, y, r * n, n, 1f);
    }

    /** dx[xo..] = scale * y * (dy - dy . y) over one row of n. */
    private static void softmaxBackwardRow(float[] dx, int xo, float[] dy, int dyo, float[] y, int yo, int n, float scale) {
        int bound = SPECIES.loopBound(n), j = 0;
        FloatVector dots = FloatVector.zero(SPECIES);
        for (; j < bound; j += L) dots = FloatVector.fromArray(SPECIES, dy, dyo + j).fma(FloatVector.fromArray(SPECIES, y, yo + j), dots);
        float dot = Kernels.sumLanes(dots);
        for (; j < n; j++) dot += dy[dyo + j] * y[yo + j];
        for (j = 0; j < bound; j += L) {
            FloatVector yv = FloatVector.fromArray(SPECIES, y, yo + j);
            yv.mul(FloatVector.fromArray(SPECIES, dy, dyo + j).sub(dot)).mul(scale).intoArray(dx, xo + j);
        }
        for (; j < n; j++) dx[xo + j] = y[yo + j] * (dy[dyo + j] - dot) * scale;
    }

    /**
     * Causal self-attention over batch sequences of s tokens: q (batch*s, heads*dh), k, v (batch*s, kvHeads*dh)
     * -> z (batch*s, heads*dh), pattern (batch, heads, s, s) kept for the backward. Per sequence it does what
     * {@link Kernels#attention} does (keys transposed per kv head, tiled q k^T, scale, mask, softmax, pattern @ v),
     * so z equals the inference kernel's bit for bit; sequences and kv heads are split over threads.
     */
    public static void attention(float[] z, float[] pattern, float[] q, float[] k, float[] v,
                                 int batch, int s, int heads, int kvHeads, int dh) {
        if (SCALAR) {
            ScalarTrainingKernels.attention(z, pattern, q, k, v, batch, s, heads, kvHeads, dh);
            return;
        }
        assert heads % kvHeads == 0 && pattern.length >= batch * heads * s * s;
        int units = batch * kvHeads;
        int parts = parts((long) batch * heads * s * s * dh * 2, units);
        int chunk = (units + parts - 1) / parts;
        Workers.run(parts, p -> {
            for (int u = p * chunk; u < Math.min(units, (p + 1) * chunk); u++) attentionUnit(z, pattern, q, k, v, u / kvHeads, u % kvHeads, s, heads, kvHeads, dh);
        });
    }

    private static void attentionUnit(float[] z, float[] pattern, float[] q, float[] k, float[] v, int b, int kv,
                                      int s, int heads, int kvHeads, int dh) {
        int group = heads / kvHeads, width = heads * dh, kvWidth = kvHeads * dh;
        float factor = (float) (1 / Math.sqrt(dh));
        float[] keysT = scratch(0, dh * s);                                     // (dh, s)
        for (int j = 0; j < s; j++) {
            for (int c = 0; c < dh; c++) keysT[c * s + j] = k[(b * s + j) * kvWidth + kv * dh + c];
        }
        for (int h = kv * group; h < (kv + 1) * group; h++) {
            int at = (b * heads + h) * s * s;
            Tiles.gemm(pattern, at, s, q, b * s * width + h * dh, width, keysT, 0, s, s, dh, 0, s);
            for (int i = 0; i < s; i++) {
                Kernels.scaleRange(pattern, at + i * s, factor, i + 1);
                Arrays.fill(pattern, at + i * s + i + 1, at + (i + 1) * s, Float.NEGATIVE_INFINITY);
                Kernels.softmax(pattern, at + i * s, s);
            }
            Tiles.gemm(z, b * s * width + h * dh, width, pattern, at, s, v, b * s * kvWidth + kv * dh, kvWidth, s, s, 0, dh);
        }
    }

    /**
     * The backward of {@link #attention}, overwriting dq (batch*s, heads*dh), dk, dv (batch*s, kvHeads*dh): per head
     * dP = dZ V^T, dV += P^T dZ, dS = softmaxBackward(dP) / sqrt(dh), dQ = dS K, dK += dS^T Q, each a tiled matmul;
     * heads sharing a kv head add into its dK and dV in ascending order.
     */
    public static void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dz, float[] pattern, float[] q,
                                         float[] k, float[] v, int batch, int s, int heads, int kvHeads, int dh) {
        if (SCALAR) {
            ScalarTrainingKernels.attentionBackward(dq, dk, dv, dz, pattern, q, k, v, batch, s, heads, kvHeads, dh);
            return;
        }
        int units = batch * kvHeads;
        int parts = parts((long) batch * heads * s * s * dh * 4, units);
        int chunk = (units + parts - 1) / parts;
        Workers.run(parts, p -> {
            for (int u = p * chunk; u < Math.min(units, (p + 1) * chunk); u++) {
                attentionBackwardUnit(dq, dk, dv, dz, pattern, q, k, v, u / kvHeads, u % kvHeads, s, heads, kvHeads, dh);
            }
        });
    }

    private static void attentionBackwardUnit(float[] dq, float[] dk, float[] dv, float[] dz, float[] pattern, float[] q,
                                              float[] k, float[] v, int b, int kv, int s, int heads, int kvHeads, int dh) {
        int group = heads / kvHeads, width = heads * dh, kvWidth = kvHeads * dh;
        float factor = (float) (1 / Math.sqrt(dh));
        float[] valuesT = scratch(0, dh * s);           // (dh, s)
        float[] dP = scratch(1, s * s);                 // (s, s), then dS
        float[] transposed = scratch(2, s * s);         // (s, s): P^T, then dS^T
        for (int j = 0; j < s; j++) {
            int row = (b * s + j) * kvWidth + kv * dh;
            Arrays.fill(dk, row, row + dh, 0f);
            Arrays.fill(dv, row, row + dh, 0f);
            for (int c = 0; c < dh; c++) valuesT[c * s + j] = v[row + c];
        }
        int kvAt = b * s * kvWidth + kv * dh;
        for (int h = kv * group; h < (kv + 1) * group; h++) {
            int at = (b * heads + h) * s * s, qAt = b * s * width + h * dh;
            Tiles.gemm(dP, 0, s, dz, qAt, width, valuesT, 0, s, s, dh, 0, s);                         // dP = dZ_h V^T
            transposeAt(transposed, pattern, at, s);
            Tiles.gemm(dv, kvAt, kvWidth, transposed, 0, s, dz, qAt, width, s, s, 0, dh, true);       // dV += P^T dZ_h
            for (int i = 0; i < s; i++) softmaxBackwardRow(dP, i * s, dP, i * s, pattern, at + i * s, s, factor);
            Tiles.gemm(dq, qAt, width, dP, 0, s, k, kvAt, kvWidth, s, s, 0, dh);                       // dQ_h = dS K
            transposeAt(transposed, dP, 0, s);
            Tiles.gemm(dk, kvAt, kvWidth, transposed, 0, s, q, qAt, width, s, s, 0, dh, true);        // dK += dS^T Q_h
        }
    }

    /** The (s,s) block of x at offset `at` -> out (s,s) transposed. */
    private static void transposeAt(float[] out, float[] x, int at, int s) {
        int tile = 32;
        for (int i0 = 0; i0 < s; i0 += tile) {
            for (int j0 = 0; j0 < s; j0 += tile) {
                for (int i = i0, iEnd = Math.min(s, i0 + tile); i < iEnd; i++) {
                    for (int j = j0, jEnd = Math.min(s, j0 + tile); j < jEnd; j++) out[j * s + i] = x[at + i * s + j];
                }
            }
        }
    }

    // ---------------------------------------------------------------- rotary position embedding

    /** cos, sin (positions, headDim/2), as {@link ScalarTrainingKernels#ropeTable} (one table serves both). */
    public static void ropeTable(float[] cos, float[] sin, int positions, int headDim, float theta) {
        ScalarTrainingKernels.ropeTable(cos, sin, positions, headDim, theta);
    }

    /** x (m, heads*headDim), row i at position i % s, rotated in place by the table's angles. */
    public static void rope(float[] x, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean interleaved) {
        if (SCALAR || interleaved) {
            ScalarTrainingKernels.rope(x, cos, sin, m, s, heads, headDim, interleaved);
            return;
        }
        rotateHalves(x, cos, sin, m, s, heads, headDim, false);
    }

    /** The backward of {@link #rope}: the inverse rotation, in place. */
    public static void ropeBackward(float[] dx, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean interleaved) {
        if (SCALAR || interleaved) {
            ScalarTrainingKernels.ropeBackward(dx, cos, sin, m, s, heads, headDim, interleaved);
            return;
        }
        rotateHalves(dx, cos, sin, m, s, heads, headDim, true);
    }

    /** Hugging Face pairs (j, j + half): x1' = x1 c - x2 s, x2' = x2 c + x1 s (s negated for the inverse). */
    private static void rotateHalves(float[] x, float[] cos, float[] sin, int m, int s, int heads, int headDim, boolean inverse) {
        int half = headDim / 2, width = heads * headDim;
        for (int i = 0; i < m; i++) {
            int p = (i % s) * half;
            for (int h = 0; h < heads; h++) {
                int base = i * width + h * headDim;
                for (int j = 0; j < half; j += L) {
                    VectorMask<Float> in = SPECIES.indexInRange(j, half);
                    FloatVector x1 = FloatVector.fromArray(SPECIES, x, base + j, in);
                    FloatVector x2 = FloatVector.fromArray(SPECIES, x, base + half + j, in);
                    FloatVector c = FloatVector.fromArray(SPECIES, cos, p + j, in), sn = FloatVector.fromArray(SPECIES, sin, p + j, in);
                    if (inverse) sn = sn.neg();
                    x1.mul(c).sub(x2.mul(sn)).intoArray(x, base + j, in);
                    x2.mul(c).add(x1.mul(sn)).intoArray(x, base + half + j, in);
                }
            }
        }
    }

    // ---------------------------------------------------------------- activations

    /** dx = dy * sigmoid(x) (1 + x (1 - sigmoid(x))); dx may be dy. */
    public static void siluBackward(float[] dx, float[] dy, float[] x, int n) {
        if (SCALAR) {
            ScalarTrainingKernels.siluBackward(dx, dy, x, n);
            return;
        }
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(SPECIES, x, i);
            FloatVector sig = FloatVector.broadcast(SPECIES, 1f).div(Kernels.exp(xv.neg()).add(1f));
            FloatVector slope = sig.mul(xv.mul(sig.neg().add(1f)).add(1f));
            FloatVector.fromArray(SPECIES, dy, i).mul(slope).intoArray(dx, i);
        }
        for (; i < n; i++) {
            float sig = 1f / (1f + (float) Math.exp(-x[i]));
            dx[i] = dy[i] * (sig * (1f + x[i] * (1f - sig)));
        }
    }

    /** dGate = dh * up * silu'(gate), dUp = dh * silu(gate), both overwritten; gate is before the activation. */
    public static void swigluBackward(float[] dGate, float[] dUp, float[] dh, float[] gate, float[] up, int n) {
        if (SCALAR) {
            ScalarTrainingKernels.swigluBackward(dGate, dUp, dh, gate, up, n);
            return;
        }
        int i = 0;
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(SPECIES, gate, i), grad = FloatVector.fromArray(SPECIES, dh, i);
            FloatVector sig = one.div(Kernels.exp(g.neg()).add(1f));
            grad.mul(g.mul(sig)).intoArray(dUp, i);
            grad.mul(FloatVector.fromArray(SPECIES, up, i)).mul(sig.mul(g.mul(one.sub(sig)).add(1f))).intoArray(dGate, i);
        }
        for (; i < n; i++) {
            float g = gate[i], sig = 1f / (1f + (float) Math.exp(-g));
            float grad = dh[i];
            dUp[i] = grad * (g * sig);
            dGate[i] = grad * up[i] * (sig * (1f + g * (1f - sig)));
        }
    }

    /** dx = dy * (Phi(x) + x phi(x)), the exact GELU's slope; dx may be dy. */
    public static void geluBackward(float[] dx, float[] dy, float[] x, int n) {
        if (SCALAR) {
            ScalarTrainingKernels.geluBackward(dx, dy, x, n);
            return;
        }
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector c = v.max(-20f).min(20f);
            FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(c.abs().fma(ERFC_Q, 1f));
            FloatVector p = FloatVector.broadcast(SPECIES, ERFC_P[10]);
            for (int k = 9; k >= 0; k--) p = p.fma(t, FloatVector.broadcast(SPECIES, ERFC_P[k]));
            FloatVector gauss = Kernels.exp(c.mul(c).mul(-0.5f));
            FloatVector halfErfc = gauss.mul(t).mul(p).mul(0.5f);
            FloatVector cdf = halfErfc.blend(halfErfc.neg().add(1f), v.compare(VectorOperators.GE, 0f));
            FloatVector slope = cdf.add(v.mul(gauss.mul(ScalarTrainingKernels.INV_SQRT_2PI)));
            FloatVector.fromArray(SPECIES, dy, i).mul(slope).intoArray(dx, i);
        }
        for (; i < n; i++) dx[i] = dy[i] * ScalarTrainingKernels.geluSlope(x[i]);
    }

    /** dx = dy * (sig + x sig (1 - sig) 2c (1 + 3 * 0.044715 x^2)), GPT-2's GELU; dx may be dy. */
    public static void geluTanhBackward(float[] dx, float[] dy, float[] x, int n) {
        if (SCALAR) {
            ScalarTrainingKernels.geluTanhBackward(dx, dy, x, n);
            return;
        }
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector vv = v.mul(v);
            FloatVector minus2u = vv.fma(0.044715f, 1f).mul(v).mul(-2 * GELU_TANH_C);
            FloatVector sig = FloatVector.broadcast(SPECIES, 1f).div(Kernels.exp(minus2u).add(1f));
            FloatVector du = vv.fma(3 * 0.044715f, 1f).mul(2 * GELU_TANH_C);
            FloatVector slope = sig.add(v.mul(sig).mul(sig.neg().add(1f)).mul(du));
            FloatVector.fromArray(SPECIES, dy, i).mul(slope).intoArray(dx, i);
        }
        for (; i < n; i++) {
            float v = x[i];
            float minus2u = Math.fma(v * v, 0.044715f, 1f) * v * (-2 * GELU_TANH_C);
            float sig = 1f / ((float) Math.exp(minus2u) + 1f);
            float du = Math.fma(v * v, 3 * 0.044715f, 1f) * (2 * GELU_TANH_C);
            dx[i] = dy[i] * (sig + v * sig * (1f - sig) * du);
        }
    }

    // ---------------------------------------------------------------- loss

    /**
     * Softmax cross-entropy of logits (m, vocab) against targets (m,) (-1 = ignored), fused with its backward; see
     * {@link ScalarTrainingKernels#crossEntropy}. Rows are split over threads; their losses are added in row order.
     */
    public static double crossEntropy(float[] dLogits, float[] logits, int[] targets, int m, int vocab, float scale) {
        if (SCALAR) return ScalarTrainingKernels.crossEntropy(dLogits, logits, targets, m, vocab, scale);
        double[] losses = new double[m];
        int parts = parts((long) m * vocab * 16, m);
        int chunk = (m + parts - 1) / parts;
        Workers.run(parts, p -> {
            for (int r = p * chunk; r < Math.min(m, (p + 1) * chunk); r++) losses[r] = crossEntropyRow(dLogits, logits, targets[r], r * vocab, vocab, scale);
        });
        double total = 0;
        for (int r = 0; r < m; r++) total += losses[r];
        return total;
    }

    private static double crossEntropyRow(float[] dLogits, float[] logits, int target, int row, int vocab, float scale) {
        if (target < 0) {
            Arrays.fill(dLogits, row, row + vocab, 0f);
            return 0;
        }
        int bound = SPECIES.loopBound(vocab), j = 0;
        FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (; j < bound; j += L) maxes = maxes.max(FloatVector.fromArray(SPECIES, logits, row + j));
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; j < vocab; j++) max = Math.max(max, logits[row + j]);
        float target0 = logits[row + target];                      // read before dLogits (maybe the same array) is written
        FloatVector sums = FloatVector.zero(SPECIES);
        for (j = 0; j < bound; j += L) {
            FloatVector e = Kernels.exp(FloatVector.fromArray(SPECIES, logits, row + j).sub(max));
            e.intoArray(dLogits, row + j);
            sums = sums.add(e);
        }
        float sum = Kernels.sumLanes(sums);
        for (; j < vocab; j++) {
            float e = (float) Math.exp(logits[row + j] - max);
            dLogits[row + j] = e;
            sum += e;
        }
        double loss = Math.log(sum) + max - target0;
        Kernels.scaleRange(dLogits, row, scale / sum, vocab);
        dLogits[row + target] -= scale;
        return loss;
    }

    // ---------------------------------------------------------------- optimizer

    /** One AdamW step on n parameters, the same operations as {@link ScalarTrainingKernels#adamw} lane by lane. */
    public static void adamw(float[] p, float[] m, float[] v, float[] g, int n, float lr, float beta1, float beta2,
                             float eps, float weightDecay, float bias1, float bias2) {
        if (SCALAR) {
            ScalarTrainingKernels.adamw(p, m, v, g, n, lr, beta1, beta2, eps, weightDecay, bias1, bias2);
            return;
        }
        float decay = 1f - lr * weightDecay, oneMinusB1 = 1f - beta1, oneMinusB2 = 1f - beta2;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector grad = FloatVector.fromArray(SPECIES, g, i);
            FloatVector mi = FloatVector.fromArray(SPECIES, m, i).mul(beta1).add(grad.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(SPECIES, v, i).mul(beta2).add(grad.mul(grad).mul(oneMinusB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denominator = vi.div(bias2).lanewise(VectorOperators.SQRT).add(eps);
            FloatVector.fromArray(SPECIES, p, i).mul(decay).sub(mi.div(bias1).div(denominator).mul(lr)).intoArray(p, i);
        }
        for (; i < n; i++) {
            float grad = g[i];
            float mi = beta1 * m[i] + oneMinusB1 * grad;
            float vi = beta2 * v[i] + oneMinusB2 * (grad * grad);
            m[i] = mi;
            v[i] = vi;
            float denominator = (float) Math.sqrt(vi / bias2) + eps;
            p[i] = p[i] * decay - lr * ((mi / bias1) / denominator);
        }
    }
}
