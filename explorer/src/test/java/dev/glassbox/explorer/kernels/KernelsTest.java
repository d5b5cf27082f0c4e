package dev.glassbox.explorer.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelsTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void dotMatchesItsScalarTwin(int n) {
        Random random = new Random(n);
        float[] a = new float[n + 3];
        float[] b = new float[n + 3];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() * 2 - 1;
            b[i] = random.nextFloat() * 2 - 1;
        }
        float expected = ScalarKernels.dot(a, b, n);
        // the vector kernel adds in a different order, so allow float rounding proportional to n
        assertEquals(expected, Kernels.dot(a, b, n), 1e-6f * (n + 1), "n = " + n);
    }

    /** Values with zeros, negative zeros, NaN and infinities sprinkled in, and garbage past n. */
    private static float[] values(int n) {
        Random random = new Random(31L * n + 1);
        float[] x = new float[n + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (random.nextInt(20)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.NaN;
                case 3 -> Float.POSITIVE_INFINITY;
                default -> (float) random.nextGaussian() * 3;
            };
        }
        for (int i = n; i < x.length; i++) x[i] = 1e30f;                // must not be read
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void summarizeMatchesItsScalarTwin(int n) {
        float[] x = values(n);
        double[] vector = {3, -1, 1, 10, 2}, scalar = vector.clone();    // folds into running values
        Kernels.summarize(vector, x, n);
        ScalarKernels.summarize(scalar, x, n);
        assertEquals(scalar[Numerics.FINITE], vector[Numerics.FINITE], "finite count, n = " + n);
        assertEquals(scalar[Numerics.MIN], vector[Numerics.MIN], "min, n = " + n);
        assertEquals(scalar[Numerics.MAX], vector[Numerics.MAX], "max, n = " + n);
        assertEquals(scalar[Numerics.ZEROS], vector[Numerics.ZEROS], "zeros, n = " + n);
        assertEquals(scalar[Numerics.SUM], vector[Numerics.SUM], 1e-4 * (n + 1), "sum, n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void sumSquaredDeviationsMatchesItsScalarTwin(int n) {
        float[] x = values(n);
        double expected = ScalarKernels.sumSquaredDeviations(x, n, 0.25f);
        assertEquals(expected, Kernels.sumSquaredDeviations(x, n, 0.25f), 1e-5 * (expected + 1), "n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void histogramMatchesItsScalarTwinExactly(int n) {
        float[] x = values(n);
        for (int bins : new int[] {1, 3, 64}) {
            long[] vector = new long[bins], scalar = new long[bins];
            Kernels.histogram(vector, x, n, -2.5f, 4f);                   // values outside [lo, hi] are left out
            ScalarKernels.histogram(scalar, x, n, -2.5f, 4f);
            assertArrayEquals(scalar, vector, "n = " + n + ", bins = " + bins);
        }
        long[] constant = new long[4];
        Kernels.histogram(constant, new float[] {2, 2, 2}, 3, 2f, 2f);    // an empty range puts everything in bin 0
        assertArrayEquals(new long[] {3, 0, 0, 0}, constant);
    }

    // ---------------------------------------------------------------- the inference kernels vs their scalar twins
    // Sizes are chosen not to be multiples of any vector width (4, 8 or 16 floats), so every tail path runs.

    /** Gaussian values scaled by `scale`, with garbage after n that the kernels must neither read into results nor write. */
    private static float[] gaussian(int n, float scale, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n + 3];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian() * scale;
        for (int i = n; i < x.length; i++) x[i] = 12345f;
        return x;
    }

    /** |expected - actual| <= rel |expected| + abs, element by element, with the index in the message. */
    private static void assertClose(float[] expected, float[] actual, double rel, double abs, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.compare(expected[i], actual[i]) == 0) continue;             // also equal infinities
            assertEquals(expected[i], actual[i], rel * Math.abs(expected[i]) + abs, what + ", element " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 33, 100, 389})
    void dotWithOffsetsMatchesItsScalarTwin(int n) {
        float[] a = gaussian(n + 5, 1, n), b = gaussian(n + 2, 1, n + 1);
        double abs = 0;
        for (int i = 0; i < n; i++) abs += Math.abs(a[5 + i] * b[2 + i]);
        // any summation order errs by at most (n + 1) u sum |a_i b_i| (Higham 3.1), u = 2^-24
        assertEquals(ScalarKernels.dot(a, 5, b, 2, n), Kernels.dot(a, 5, b, 2, n), (n + 1) * 0x1p-24 * abs * 2, "n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 33, 100, 389})
    void elementwiseKernelsMatchTheirScalarTwinsExactly(int n) {
        float[] a = gaussian(n, 3, n), b = gaussian(n, 2, n + 7);
        float[] sv = a.clone(), ss = a.clone(), mv = a.clone(), ms = a.clone(), kv = a.clone(), ks = a.clone();
        Kernels.add(sv, sv, b, n);                                          // out aliases a
        ScalarKernels.add(ss, ss, b, n);
        Kernels.mul(mv, mv, b, n);
        ScalarKernels.mul(ms, ms, b, n);
        Kernels.scale(kv, 0.37f, n);
        ScalarKernels.scale(ks, 0.37f, n);
        // one rounding per element in both: the results are identical, and nothing past n is touched
        assertArrayEquals(ss, sv, "add");
        assertArrayEquals(ms, mv, "mul");
        assertArrayEquals(ks, kv, "scale");
        int m = 3;
        float[] x = gaussian(m * n, 1, n + 9), bias = gaussian(n, 1, n + 10), xs = x.clone();
        Kernels.addBias(x, bias, m, n);
        ScalarKernels.addBias(xs, bias, m, n);
        assertArrayEquals(xs, x, "addBias");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 33, 100, 389})
    void softmaxMatchesItsScalarTwin(int n) {
        int rows = 3;
        float[] x = gaussian(rows * n, 4, n);
        x[0] = 1000f;                                                       // a huge logit must not overflow
        for (int j = 0; j < n; j++) x[n + j] = Float.NEGATIVE_INFINITY;   // a fully masked row
        if (n > 2) x[2 * n + 1] = Float.NEGATIVE_INFINITY;                  // one masked key
        float[] vector = x.clone(), scalar = x.clone();
        Kernels.softmaxRows(vector, rows, n);
        ScalarKernels.softmaxRows(scalar, rows, n);
        // the vector exp is within 1 ulp and the sum is added in another order: a few ulps per element
        assertClose(scalar, vector, 1e-6, 1e-9, "softmax n = " + n);
        for (int j = 0; j < n; j++) assertEquals(0f, vector[n + j], "masked row");
        assertEquals(12345f, vector[rows * n], "past the end");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 33, 100, 389})
    void normsMatchTheirScalarTwins(int n) {
        int m = 4;
        float[] x = gaussian(m * n, 2, n), w = gaussian(n, 1, n + 1), b = gaussian(n, 1, n + 2);
        for (int i = 0; i < n; i++) x[i] += 50;                           // a row far from 0: the mean must be taken out first
        float[] lv = new float[m * n], ls = new float[m * n], rv = new float[m * n], rs = new float[m * n];
        Kernels.layerNorm(lv, x, w, b, m, n, 1e-12f);
        ScalarKernels.layerNorm(ls, x, w, b, m, n, 1e-12f);
        Kernels.rmsNorm(rv, x, w, m, n, 1e-6f);
        ScalarKernels.rmsNorm(rs, x, w, m, n, 1e-6f);
        // summed in another order, a mean of about 50 moves by up to n u 50; divided by the std (2) and times
        // |w| (< 4) that moves a normalized value by n u 100; the other rows and rmsNorm are far inside that
        assertClose(ls, lv, 1e-5, n * 0x1p-24 * 100 + 1e-6, "layerNorm n = " + n);
        assertClose(rs, rv, 1e-5, 1e-6, "rmsNorm n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 15, 17, 33, 100, 389})
    void activationsMatchTheirScalarTwins(int n) {
        float[] x = gaussian(n, 4, n);
        x[0] = -9.5f;                                                       // deep in GELU's tail
        float[] gv = x.clone(), gs = x.clone(), tv = x.clone(), ts = x.clone(), sv = x.clone(), ss = x.clone();
        Kernels.gelu(gv, n);
        ScalarKernels.gelu(gs, n);
        Kernels.geluTanh(tv, n);
        ScalarKernels.geluTanh(ts, n);
        Kernels.silu(sv, n);
        ScalarKernels.silu(ss, n);
        // same formulas and operation order; only exp differs (vector: within 1 ulp), so a few ulps
        assertClose(gs, gv, 5e-7, 0, "gelu n = " + n);
        assertClose(ts, tv, 5e-7, 0, "geluTanh n = " + n);
        assertClose(ss, sv, 5e-7, 0, "silu n = " + n);
        assertEquals(12345f, gv[n], "gelu past the end");
    }

    @Test
    void geluKernelIsAccurateAgainstDoublePrecision() {
        int n = 20001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -13f + 23f * i / (n - 1);
        float[] y = x.clone();
        Kernels.gelu(y, n);
        for (int i = 0; i < n; i++) {
            double expected = ScalarKernelsTest.gelu(x[i]);
            assertEquals(expected, y[i], 1e-6 * Math.abs(expected), "gelu(" + x[i] + ")");
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1,2,0", "3,2,8,7", "5,3,14,0", "4,2,34,100", "2,12,32,3", "7,4,64,4095", "2,1,128,1"})
    void ropeMatchesItsScalarTwin(int m, int heads, int headDim, int startPos) {
        for (boolean interleaved : new boolean[] {false, true}) {
            float[] x = gaussian(m * heads * headDim, 1, m + heads + headDim);
            float[] vector = x.clone(), scalar = x.clone();
            Kernels.rope(vector, m, heads, headDim, startPos, 10000f, interleaved);
            ScalarKernels.rope(scalar, m, heads, headDim, startPos, 10000f, interleaved);
            // the vector kernel steps cos and sin from row to row in double (error ~ m * 1e-16), so at most
            // a last-bit difference in a cosine or sine, i.e. ~1e-7 of |x|
            assertClose(scalar, vector, 1e-6, 1e-6, "rope interleaved=" + interleaved + " " + m + "x" + heads + "x" + headDim);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,1,1,0,false", "1,7,4,4,8,6,true", "5,5,2,1,16,0,true", "7,17,6,2,32,10,true",
                "33,33,12,12,32,0,false", "3,100,4,2,64,97,true", "17,17,3,3,7,0,true", "128,128,12,12,32,0,false"})
    void attentionMatchesItsScalarTwin(int s, int t, int heads, int kvHeads, int headDim, int past, boolean causal) {
        float[] q = gaussian(s * heads * headDim, 1, s), k = gaussian(t * kvHeads * headDim, 1, t + 1);
        float[] v = gaussian(t * kvHeads * headDim, 1, t + 2);
        float[] scoresV = new float[heads * s * t], scoresS = new float[heads * s * t];
        Kernels.attentionScores(scoresV, q, k, s, t, heads, kvHeads, headDim, past, causal);
        ScalarKernels.attentionScores(scoresS, q, k, s, t, heads, kvHeads, headDim, past, causal);
        assertArrayEquals(scoresS, scoresV, "scores: one FMA chain per dot in both, so identical");

        float[] zV = new float[s * heads * headDim], zS = new float[s * heads * headDim];
        Kernels.softmaxRows(scoresV, heads * s, t);
        Kernels.attentionValues(zV, scoresV, v, s, t, heads, kvHeads, headDim);
        ScalarKernels.softmaxRows(scoresS, heads * s, t);
        ScalarKernels.attentionValues(zS, scoresS, v, s, t, heads, kvHeads, headDim);
        // the pattern differs from the twin's by a few ulps (softmax); z sums t of those weights times v
        assertClose(scoresS, scoresV, 1e-6, 1e-9, "pattern");
        assertClose(zS, zV, 1e-5, 1e-6 * t, "z");

        float[] zAgain = new float[zV.length];
        Kernels.attentionValues(zAgain, scoresS, v, s, t, heads, kvHeads, headDim);
        float[] zTwin = new float[zV.length];
        ScalarKernels.attentionValues(zTwin, scoresS, v, s, t, heads, kvHeads, headDim);
        assertArrayEquals(zTwin, zAgain, "values from the same pattern: identical");
    }

    @Test
    void vectorWidthIsReported() {
        int bits = Kernels.vectorBits();
        assertTrue(bits == 0 || bits == Kernels.SPECIES.vectorBitSize(), "vectorBits " + bits + " vs species " + Kernels.SPECIES);
    }

    /** A peaked row (scores 0 down to -200) leaves no subnormal weights, which would slow attention 100x. */
    @org.junit.jupiter.api.Test
    void softmaxLeavesNoSubnormalWeights() {
        for (int n : new int[] {7, 33, 128}) {
            float[] v = new float[n], s = new float[n];
            for (int i = 0; i < n; i++) v[i] = s[i] = -200f * i / (n - 1);
            Kernels.softmax(v, 0, n);
            ScalarKernels.softmax(s, 0, n);
            for (int i = 0; i < n; i++) {
                assertTrue(v[i] == 0 || v[i] >= Float.MIN_NORMAL, "vector weight " + i + " = " + v[i]);
                assertTrue(s[i] == 0 || s[i] >= Float.MIN_NORMAL, "scalar weight " + i + " = " + s[i]);
                assertEquals(s[i], v[i], 1e-6f);
            }
            assertEquals(0f, v[n - 1], "exp(-200) is cut to exactly 0");
            assertTrue(v[1] > 0, "close scores keep their weight");
        }
    }
}
