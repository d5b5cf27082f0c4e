package dev.glassbox.explorer.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scalar twins, the oracles of the vector kernels, checked against textbook formulas in double. */
class ScalarKernelsTest {

    /**
     * erfc(z) for z >= 0 in double, independent of the kernels: the Taylor series of erf below 2, and above
     * the continued fraction erfc z = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))).
     * (Checked against 40-digit arithmetic when written: relative error below 2e-13 on [0, 10].)
     */
    static double erfc(double z) {
        if (z < 2) {
            double sum = 0, term = z;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) <= 1e-17 * Math.abs(sum)) break;
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = 0;
        for (int k = 300; k > 0; k--) f = (k / 2.0) / (z + f);
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / (z + f);
    }

    /** GELU in double: 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2). */
    static double gelu(double x) {
        double z = x / Math.sqrt(2);
        return x >= 0 ? 0.5 * x * (2 - erfc(z)) : 0.5 * x * erfc(-z);
    }

    @Test
    void referenceErfcKnowsItsValues() {
        assertEquals(1.0, erfc(0), 0);
        assertEquals(0.157299207050285130, erfc(1), 1e-16);                 // erfc(1), tabulated
        assertEquals(2.0884875837625447570e-45, erfc(10), 1e-57);           // erfc(10), tabulated
    }

    @Test
    void geluIsAccurateToOneMillionthRelativeEverywhere() {
        double worst = 0;
        float worstAt = 0;
        for (float x = -13f; x <= 10f; x += 0.00137f) {
            double expected = gelu(x);
            double error = Math.abs(ScalarKernels.gelu(x) - expected) / Math.abs(expected);
            if (error > worst) {
                worst = error;
                worstAt = x;
            }
        }
        assertTrue(worst < 1e-6, "worst relative error " + worst + " at x = " + worstAt);
        assertEquals(0f, ScalarKernels.gelu(0f));
        assertEquals(50f, ScalarKernels.gelu(50f));                         // the identity far right
        assertEquals(-0f, ScalarKernels.gelu(-50f));                        // and 0 far left, never NaN
    }

    @Test
    void geluTanhAndSiluFollowTheirFormulas() {
        double c = Math.sqrt(2 / Math.PI);
        for (float x = -8f; x <= 8f; x += 0.0173f) {
            double u = c * (x + 0.044715 * x * x * x);
            // 1 + tanh(u) cancels to nothing in double too once u < -19; there use the same number as x e^2u / (1 + e^2u)
            double tanh = u > -3 ? 0.5 * x * (1 + Math.tanh(u)) : x * Math.exp(2 * u) / (1 + Math.exp(2 * u));
            // u is rounded in float (relative error ~3 u_float), and exp(-2u) carries that as an absolute error in
            // its argument: 6 |u| 2^-24 relative, which dominates far out in the tail
            double tolerance = (1e-6 + 6 * Math.abs(u) * 0x1p-24) * Math.abs(tanh);
            assertEquals(tanh, ScalarKernels.geluTanh(x), tolerance, "geluTanh at " + x);
            double silu = x / (1 + Math.exp(-x));
            float[] one = {x};
            ScalarKernels.silu(one, 1);
            assertEquals(silu, one[0], 1e-6 * Math.abs(silu), "silu at " + x);
        }
    }

    @Test
    void softmaxSumsToOneAndIsStableForLargeInputs() {
        float[] x = {1000f, 999f, 1000f, -1000f, 998.5f};
        ScalarKernels.softmax(x, 0, x.length);
        double[] e = {1, Math.exp(-1), 1, 0, Math.exp(-1.5)};
        double sum = Arrays.stream(e).sum();
        for (int i = 0; i < x.length; i++) assertEquals(e[i] / sum, x[i], 1e-7, "element " + i);
        float total = 0;
        for (float v : x) total += v;
        assertEquals(1f, total, 1e-6f);
    }

    @Test
    void softmaxOfAFullyMaskedRowIsZerosAndMaskedEntriesGetNoWeight() {
        float inf = Float.NEGATIVE_INFINITY;
        float[] x = {7, inf, inf, inf, 2, inf};
        ScalarKernels.softmax(x, 1, 3);                                    // only the masked middle: all -inf
        assertArrayEquals(new float[] {7, 0, 0, 0, 2, inf}, x);
        float[] y = {inf, 0, inf, 0};
        ScalarKernels.softmax(y, 0, 4);
        assertArrayEquals(new float[] {0, 0.5f, 0, 0.5f}, y);
    }

    @Test
    void normsFollowTheirFormulas() {
        float[] x = {1, 2, 3, 4, 10, -1, 0, 0.5f};
        float[] w = {1, 2, 0.5f, -1}, b = {0, 1, -1, 0.25f};
        float[] out = new float[8];
        ScalarKernels.layerNorm(out, x, w, b, 2, 4, 1e-5f);
        float[] rms = new float[8];
        ScalarKernels.rmsNorm(rms, x, w, 2, 4, 1e-6f);
        for (int r = 0; r < 2; r++) {
            double mean = 0, var = 0, squares = 0;
            for (int i = 0; i < 4; i++) mean += x[r * 4 + i] / 4.0;
            for (int i = 0; i < 4; i++) var += Math.pow(x[r * 4 + i] - mean, 2) / 4;         // biased, as PyTorch
            for (int i = 0; i < 4; i++) squares += Math.pow(x[r * 4 + i], 2) / 4;
            for (int i = 0; i < 4; i++) {
                double ln = (x[r * 4 + i] - mean) / Math.sqrt(var + 1e-5) * w[i] + b[i];
                double rn = x[r * 4 + i] / Math.sqrt(squares + 1e-6) * w[i];
                assertEquals(ln, out[r * 4 + i], 1e-6, "layerNorm " + r + "," + i);
                assertEquals(rn, rms[r * 4 + i], 1e-6, "rmsNorm " + r + "," + i);
            }
        }
    }

    @Test
    void ropeTurnsEachPairByItsAngleAndLeavesPositionZeroAlone() {
        int heads = 2, headDim = 8, m = 3;
        float[] x = MatmulTest.gaussian(m * heads * headDim, 11);
        for (boolean interleaved : new boolean[] {false, true}) {
            float[] atZero = x.clone();
            ScalarKernels.rope(atZero, 1, heads, headDim, 0, 10000f, interleaved);
            assertArrayEquals(Arrays.copyOf(x, heads * headDim), Arrays.copyOf(atZero, heads * headDim), "position 0 is the identity");

            float[] y = x.clone();
            ScalarKernels.rope(y, m, heads, headDim, 5, 10000f, interleaved);
            for (int i = 0; i < m; i++) {
                for (int h = 0; h < heads; h++) {
                    for (int j = 0; j < headDim / 2; j++) {
                        int base = i * heads * headDim + h * headDim;
                        int a = base + (interleaved ? 2 * j : j), b = base + (interleaved ? 2 * j + 1 : j + headDim / 2);
                        double angle = (5 + i) * Math.pow(10000, -2.0 * j / headDim);
                        double ea = x[a] * Math.cos(angle) - x[b] * Math.sin(angle), eb = x[b] * Math.cos(angle) + x[a] * Math.sin(angle);
                        assertEquals(ea, y[a], 1e-6, "first of pair " + j);
                        assertEquals(eb, y[b], 1e-6, "second of pair " + j);
                        assertEquals(Math.hypot(x[a], x[b]), Math.hypot(y[a], y[b]), 1e-6, "the pair keeps its length");
                    }
                }
            }
        }
    }

    @Test
    void causalScoresHideTheFutureAndAreScaledDots() {
        int s = 3, t = 5, past = 2, heads = 1, headDim = 4;
        float[] q = MatmulTest.gaussian(s * headDim, 12), k = MatmulTest.gaussian(t * headDim, 13);
        float[] scores = new float[s * t];
        ScalarKernels.attentionScores(scores, q, k, s, t, heads, 1, headDim, past, true);
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < t; j++) {
                if (j > past + i) {
                    assertEquals(Float.NEGATIVE_INFINITY, scores[i * t + j], "query " + i + " must not see key " + j);
                } else {
                    double dot = 0;
                    for (int c = 0; c < headDim; c++) dot += (double) q[i * headDim + c] * k[j * headDim + c];
                    assertEquals(dot / 2, scores[i * t + j], 1e-6, "score " + i + "," + j);   // sqrt(headDim) = 2
                }
            }
        }
    }

    @Test
    void groupedQueryHeadsReadTheirSharedKeyAndValueHead() {
        int s = 2, t = 3, heads = 4, kvHeads = 2, headDim = 3;
        float[] q = MatmulTest.gaussian(s * heads * headDim, 14);
        float[] k = MatmulTest.gaussian(t * kvHeads * headDim, 15), v = MatmulTest.gaussian(t * kvHeads * headDim, 16);
        float[] z = new float[s * heads * headDim], pattern = new float[heads * s * t];
        attend(z, pattern, q, k, v, s, t, heads, kvHeads, headDim);
        for (int h = 0; h < heads; h++) {
            int kv = h / 2;                                                // heads 0,1 -> kv 0; heads 2,3 -> kv 1
            float[] qh = new float[s * headDim], kh = new float[t * headDim], vh = new float[t * headDim];
            for (int i = 0; i < s; i++) System.arraycopy(q, i * heads * headDim + h * headDim, qh, i * headDim, headDim);
            for (int j = 0; j < t; j++) {
                System.arraycopy(k, j * kvHeads * headDim + kv * headDim, kh, j * headDim, headDim);
                System.arraycopy(v, j * kvHeads * headDim + kv * headDim, vh, j * headDim, headDim);
            }
            float[] zh = new float[s * headDim], ph = new float[s * t];
            attend(zh, ph, qh, kh, vh, s, t, 1, 1, headDim);
            assertArrayEquals(ph, Arrays.copyOfRange(pattern, h * s * t, (h + 1) * s * t), "pattern of head " + h);
            for (int i = 0; i < s; i++) {
                assertArrayEquals(Arrays.copyOfRange(zh, i * headDim, (i + 1) * headDim),
                        Arrays.copyOfRange(z, i * heads * headDim + h * headDim, i * heads * headDim + (h + 1) * headDim), "z of head " + h);
            }
        }
    }

    /** Attention without a mask: scores, softmax, values; pattern holds the softmax afterwards. */
    static void attend(float[] z, float[] pattern, float[] q, float[] k, float[] v, int s, int t, int heads, int kvHeads, int headDim) {
        ScalarKernels.attentionScores(pattern, q, k, s, t, heads, kvHeads, headDim, 0, false);
        ScalarKernels.softmaxRows(pattern, heads * s, t);
        ScalarKernels.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim);
    }
}
