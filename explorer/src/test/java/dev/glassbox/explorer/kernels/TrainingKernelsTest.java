package dev.glassbox.explorer.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every backward kernel against finite differences of a double-precision forward written here: the test draws a
 * random linear functional L = sum r_i y_i of the op's output, gives r as dy to the kernel, and compares the float
 * gradient with central differences of L in double (relative error of the whole gradient <= 1e-4). Sizes are not
 * multiples of the vector width. Then each vector kernel against its scalar twin.
 */
class TrainingKernelsTest {
    private static final double TOLERANCE = 1e-4;

    // ---------------------------------------------------------------- finite-difference harness

    private static float[] random(Random r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    private static double dot(double[] r, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += r[i] * y[i];
        return s;
    }

    /** Central differences of f with respect to inputs[which], compared with `analytic`. */
    static void assertGradient(String what, double[][] inputs, int which, ToDoubleFunction<double[][]> f, float[] analytic) {
        double[] x = inputs[which];
        double[] numeric = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i], h = 1e-5 * Math.max(1, Math.abs(keep));
            x[i] = keep + h;
            double plus = f.applyAsDouble(inputs);
            x[i] = keep - h;
            double minus = f.applyAsDouble(inputs);
            x[i] = keep;
            numeric[i] = (plus - minus) / (2 * h);
        }
        double diff = 0, norm = 0;
        for (int i = 0; i < x.length; i++) {
            diff += (analytic[i] - numeric[i]) * (analytic[i] - numeric[i]);
            norm += numeric[i] * numeric[i];
        }
        double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
        assertTrue(norm > 0, what + ": the numeric gradient is all zero, the check would prove nothing");
        assertTrue(rel <= TOLERANCE, what + ": relative error " + rel + " > " + TOLERANCE
                + "\nanalytic " + Arrays.toString(Arrays.copyOf(analytic, Math.min(8, analytic.length)))
                + "\nnumeric  " + Arrays.toString(Arrays.copyOf(numeric, Math.min(8, numeric.length))));
    }

    // ---------------------------------------------------------------- double forwards

    static double[] linear(double[] x, double[] w, int m, int n, int d) {
        double[] y = new double[m * d];
        for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += x[i * n + k] * w[j * n + k];
            y[i * d + j] = s;
        }
        return y;
    }

    static double[] rmsNorm(double[] x, double[] w, int m, int n, double eps) {
        double[] y = new double[m * n];
        for (int r = 0; r < m; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) ss += x[r * n + i] * x[r * n + i];
            double f = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) y[r * n + i] = x[r * n + i] * f * w[i];
        }
        return y;
    }

    static double[] layerNorm(double[] x, double[] w, double[] b, int m, int n, double eps) {
        double[] y = new double[m * n];
        for (int r = 0; r < m; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) mean += x[r * n + i];
            mean /= n;
            for (int i = 0; i < n; i++) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
            var /= n;
            double rstd = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < n; i++) y[r * n + i] = (x[r * n + i] - mean) * rstd * w[i] + b[i];
        }
        return y;
    }

    static void softmaxInPlace(double[] x, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[offset + i]);
        for (int i = 0; i < n; i++) sum += x[offset + i] = Math.exp(x[offset + i] - max);
        for (int i = 0; i < n; i++) x[offset + i] /= sum;
    }

    static double[] attention(double[] q, double[] k, double[] v, int batch, int s, int heads, int kvHeads, int dh) {
        int group = heads / kvHeads, width = heads * dh, kvWidth = kvHeads * dh;
        double[] z = new double[batch * s * width], p = new double[s];
        for (int b = 0; b < batch; b++) for (int h = 0; h < heads; h++) {
            int kv = h / group;
            for (int i = 0; i < s; i++) {
                Arrays.fill(p, Double.NEGATIVE_INFINITY);
                for (int j = 0; j <= i; j++) {
                    double sum = 0;
                    for (int c = 0; c < dh; c++) sum += q[(b * s + i) * width + h * dh + c] * k[(b * s + j) * kvWidth + kv * dh + c];
                    p[j] = sum / Math.sqrt(dh);
                }
                softmaxInPlace(p, 0, s);
                for (int c = 0; c < dh; c++) {
                    double sum = 0;
                    for (int j = 0; j < s; j++) sum += p[j] * v[(b * s + j) * kvWidth + kv * dh + c];
                    z[(b * s + i) * width + h * dh + c] = sum;
                }
            }
        }
        return z;
    }

    static double[] rope(double[] x, int m, int s, int heads, int dh, double theta, boolean interleaved) {
        double[] y = x.clone();
        int half = dh / 2;
        for (int i = 0; i < m; i++) for (int h = 0; h < heads; h++) for (int j = 0; j < half; j++) {
            double angle = (i % s) * Math.pow(theta, -2.0 * j / dh), c = Math.cos(angle), sn = Math.sin(angle);
            int base = i * heads * dh + h * dh;
            int a = base + (interleaved ? 2 * j : j), b = base + (interleaved ? 2 * j + 1 : j + half);
            y[a] = x[a] * c - x[b] * sn;
            y[b] = x[b] * c + x[a] * sn;
        }
        return y;
    }

    static double silu(double x) { return x / (1 + Math.exp(-x)); }

    /** Phi(x) by Simpson's rule on [0, x] (400 intervals): smooth in x, accurate to ~1e-12 for |x| < 6. */
    static double normalCdf(double x) {
        int n = 400;
        double h = x / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h, f = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
            sum += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return 0.5 + sum * h / 3;
    }

    // ---------------------------------------------------------------- gradients against finite differences

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67})
    void linearBackward(int n) {
        Random r = new Random(n);
        int m = 5, d = 11;
        float[] x = random(r, m * n, 1), w = random(r, d * n, 0.5), dy = random(r, m * d, 1);
        float[] dx = new float[m * n], dw = new float[d * n], dyT = new float[d * m];
        TrainingKernels.linearBackward(dx, dw, dy, x, w, dyT, m, n, d);
        double[] rr = toDouble(dy);
        ToDoubleFunction<double[][]> f = in -> dot(rr, linear(in[0], in[1], m, n, d));
        double[][] inputs = {toDouble(x), toDouble(w)};
        assertGradient("linear dx n=" + n, inputs, 0, f, dx);
        assertGradient("linear dw n=" + n, inputs, 1, f, dw);
        // and the forward it belongs to
        float[] y = new float[m * d], wT = new float[n * d];
        TrainingKernels.linear(y, x, w, wT, m, n, d);
        double[] ref = linear(toDouble(x), toDouble(w), m, n, d);
        for (int i = 0; i < y.length; i++) assertEquals(ref[i], y[i], 1e-5 * (1 + Math.abs(ref[i])));
    }

    @Test
    void embeddingAndBiasBackward() {
        Random r = new Random(2);
        int m = 9, d = 37, vocab = 5;
        int[] tokens = {0, 3, 3, 1, 4, 0, 3, 2, 2};
        float[] table = random(r, vocab * d, 1), dy = random(r, m * d, 1), dTable = new float[vocab * d], dBias = new float[d];
        TrainingKernels.embeddingBackward(dTable, dy, tokens, m, d);
        double[] rr = toDouble(dy);
        assertGradient("embedding", new double[][]{toDouble(table)}, 0, in -> {
            double s = 0;
            for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) s += rr[i * d + j] * in[0][tokens[i] * d + j];
            return s;
        }, dTable);
        TrainingKernels.biasBackward(dBias, dy, m, d);
        assertGradient("bias", new double[][]{new double[d]}, 0, in -> {
            double s = 0;
            for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) s += rr[i * d + j] * in[0][j];
            return s;
        }, dBias);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67})
    void rmsNormBackward(int n) {
        Random r = new Random(n);
        int m = 3;
        float eps = 1e-5f;
        float[] x = random(r, m * n, 1), w = random(r, n, 1), dy = random(r, m * n, 1);
        float[] dx = new float[m * n], dw = new float[n];
        TrainingKernels.rmsNormBackward(dx, dw, dy, x, w, m, n, eps);
        double[] rr = toDouble(dy);
        double[][] inputs = {toDouble(x), toDouble(w)};
        ToDoubleFunction<double[][]> f = in -> dot(rr, rmsNorm(in[0], in[1], m, n, eps));
        if (n > 1) assertGradient("rmsNorm dx n=" + n, inputs, 0, f, dx);     // with n = 1, y = sign(x) w: flat in x
        assertGradient("rmsNorm dw n=" + n, inputs, 1, f, dw);
    }

    /** n = 2 is left out: a 2-element LayerNorm outputs +-1 whatever x is, so its gradient is only float noise. */
    @ParameterizedTest
    @ValueSource(ints = {3, 7, 37, 67})
    void layerNormBackward(int n) {
        Random r = new Random(n);
        int m = 3;
        float eps = 1e-5f;
        float[] x = random(r, m * n, 1), w = random(r, n, 1), b = random(r, n, 1), dy = random(r, m * n, 1);
        float[] dx = new float[m * n], dw = new float[n], db = new float[n];
        TrainingKernels.layerNormBackward(dx, dw, db, dy, x, w, m, n, eps);
        double[] rr = toDouble(dy);
        double[][] inputs = {toDouble(x), toDouble(w), toDouble(b)};
        ToDoubleFunction<double[][]> f = in -> dot(rr, layerNorm(in[0], in[1], in[2], m, n, eps));
        assertGradient("layerNorm dx n=" + n, inputs, 0, f, dx);
        assertGradient("layerNorm dw n=" + n, inputs, 1, f, dw);
        assertGradient("layerNorm db n=" + n, inputs, 2, f, db);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 7, 37, 67})
    void softmaxBackward(int n) {
        Random r = new Random(n);
        int rows = 3;
        float[] x = random(r, rows * n, 2), dy = random(r, rows * n, 1), y = x.clone(), dx = new float[rows * n];
        Kernels.softmaxRows(y, rows, n);
        TrainingKernels.softmaxBackward(dx, dy, y, rows, n);
        double[] rr = toDouble(dy);
        assertGradient("softmax n=" + n, new double[][]{toDouble(x)}, 0, in -> {
            double[] z = in[0].clone();
            for (int row = 0; row < rows; row++) softmaxInPlace(z, row * n, n);
            return dot(rr, z);
        }, dx);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 17})
    void attentionBackward(int s) {
        Random r = new Random(s);
        int batch = 2, heads = 4, kvHeads = 2, dh = 6, width = heads * dh, kvWidth = kvHeads * dh;
        float[] q = random(r, batch * s * width, 1), k = random(r, batch * s * kvWidth, 1), v = random(r, batch * s * kvWidth, 1);
        float[] z = new float[batch * s * width], pattern = new float[batch * heads * s * s], dz = random(r, z.length, 1);
        TrainingKernels.attention(z, pattern, q, k, v, batch, s, heads, kvHeads, dh);
        double[] ref = attention(toDouble(q), toDouble(k), toDouble(v), batch, s, heads, kvHeads, dh);
        for (int i = 0; i < z.length; i++) assertEquals(ref[i], z[i], 1e-5, "z[" + i + "]");
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        TrainingKernels.attentionBackward(dq, dk, dv, dz, pattern, q, k, v, batch, s, heads, kvHeads, dh);
        double[] rr = toDouble(dz);
        double[][] inputs = {toDouble(q), toDouble(k), toDouble(v)};
        ToDoubleFunction<double[][]> f = in -> dot(rr, attention(in[0], in[1], in[2], batch, s, heads, kvHeads, dh));
        if (s > 1) {                                    // one key: the pattern is 1 whatever q and k are
            assertGradient("attention dq s=" + s, inputs, 0, f, dq);
            assertGradient("attention dk s=" + s, inputs, 1, f, dk);
        }
        assertGradient("attention dv s=" + s, inputs, 2, f, dv);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeBackward(boolean interleaved) {
        Random r = new Random(interleaved ? 1 : 2);
        int batch = 2, s = 7, heads = 3, dh = 10, m = batch * s, context = 16;
        float theta = 10000f;
        float[] cos = new float[context * dh / 2], sin = new float[context * dh / 2];
        TrainingKernels.ropeTable(cos, sin, context, dh, theta);
        float[] x = random(r, m * heads * dh, 1), dy = random(r, x.length, 1), dx = dy.clone(), y = x.clone();
        TrainingKernels.rope(y, cos, sin, m, s, heads, dh, interleaved);
        double[] ref = rope(toDouble(x), m, s, heads, dh, theta, interleaved);
        for (int i = 0; i < y.length; i++) assertEquals(ref[i], y[i], 1e-5, "rope[" + i + "]");
        TrainingKernels.ropeBackward(dx, cos, sin, m, s, heads, dh, interleaved);
        double[] rr = toDouble(dy);
        assertGradient("rope interleaved=" + interleaved, new double[][]{toDouble(x)}, 0,
                in -> dot(rr, rope(in[0], m, s, heads, dh, theta, interleaved)), dx);
    }

    @Test
    void ropeTableMatchesTheInferenceKernel() {
        int s = 37, heads = 2, dh = 16;
        float[] cos = new float[s * dh / 2], sin = new float[s * dh / 2];
        TrainingKernels.ropeTable(cos, sin, s, dh, 10000f);
        float[] x = random(new Random(3), s * heads * dh, 1), a = x.clone(), b = x.clone();
        Kernels.rope(a, s, heads, dh, 0, 10000f, false);
        TrainingKernels.rope(b, cos, sin, s, s, heads, dh, false);
        if (Kernels.vectorBits() != 0) assertArrayEquals(a, b, "the table turns the angles as Kernels.rope does, bit for bit");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67})
    void activationBackward(int n) {
        Random r = new Random(n);
        float[] x = random(r, n, 2), up = random(r, n, 1), dy = random(r, n, 1);
        double[] rr = toDouble(dy);
        float[] dx = new float[n];
        TrainingKernels.siluBackward(dx, dy, x, n);
        assertGradient("silu n=" + n, new double[][]{toDouble(x)}, 0, in -> {
            double s = 0;
            for (int i = 0; i < n; i++) s += rr[i] * silu(in[0][i]);
            return s;
        }, dx);
        float[] dGate = new float[n], dUp = new float[n];
        TrainingKernels.swigluBackward(dGate, dUp, dy, x, up, n);
        ToDoubleFunction<double[][]> swiglu = in -> {
            double s = 0;
            for (int i = 0; i < n; i++) s += rr[i] * silu(in[0][i]) * in[1][i];
            return s;
        };
        double[][] inputs = {toDouble(x), toDouble(up)};
        assertGradient("swiglu gate n=" + n, inputs, 0, swiglu, dGate);
        assertGradient("swiglu up n=" + n, inputs, 1, swiglu, dUp);
        TrainingKernels.geluBackward(dx, dy, x, n);
        assertGradient("gelu n=" + n, new double[][]{toDouble(x)}, 0, in -> {
            double s = 0;
            for (int i = 0; i < n; i++) s += rr[i] * in[0][i] * normalCdf(in[0][i]);
            return s;
        }, dx);
        TrainingKernels.geluTanhBackward(dx, dy, x, n);
        double c = Math.sqrt(2 / Math.PI);
        assertGradient("gelu tanh n=" + n, new double[][]{toDouble(x)}, 0, in -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double v = in[0][i];
                s += rr[i] * 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
            }
            return s;
        }, dx);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67})
    void crossEntropy(int vocab) {
        Random r = new Random(vocab);
        int m = 6;
        int[] targets = new int[m];
        for (int i = 0; i < m; i++) targets[i] = i == 2 ? -1 : r.nextInt(vocab);
        float[] logits = random(r, m * vocab, 3), dLogits = new float[m * vocab];
        float scale = 1f / 5;
        double loss = TrainingKernels.crossEntropy(dLogits, logits, targets, m, vocab, scale);
        ToDoubleFunction<double[][]> f = in -> {
            double total = 0;
            for (int i = 0; i < m; i++) {
                if (targets[i] < 0) continue;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < vocab; j++) max = Math.max(max, in[0][i * vocab + j]);
                for (int j = 0; j < vocab; j++) sum += Math.exp(in[0][i * vocab + j] - max);
                total += Math.log(sum) + max - in[0][i * vocab + targets[i]];
            }
            return total * scale;
        };
        double[][] inputs = {toDouble(logits)};
        assertEquals(f.applyAsDouble(inputs) / scale, loss, 1e-5 * Math.abs(loss) + 1e-6);
        if (vocab > 1) assertGradient("cross-entropy vocab=" + vocab, inputs, 0, f, dLogits);
        for (int j = 0; j < vocab; j++) assertEquals(0f, dLogits[2 * vocab + j], "an ignored row has no gradient");
        float[] inPlace = logits.clone();               // dLogits may be the logits array itself
        assertEquals(loss, TrainingKernels.crossEntropy(inPlace, inPlace, targets, m, vocab, scale));
        assertArrayEquals(dLogits, inPlace);
    }

    // ---------------------------------------------------------------- vector kernels against their scalar twins

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67, 130})
    void bitExactTwins(int n) {
        Random r = new Random(n);
        int m = 9, d = 19;
        float[] x = random(r, m * n, 1), w = random(r, d * n, 1), dy = random(r, m * d, 1);
        float[] dx1 = random(r, m * n, 1), dx2 = dx1.clone(), dw1 = random(r, d * n, 1), dw2 = dw1.clone();
        TrainingKernels.linearBackward(dx1, dw1, dy, x, w, new float[d * m], m, n, d);
        ScalarTrainingKernels.linearBackward(dx2, dw2, dy, x, w, new float[d * m], m, n, d);
        assertArrayEquals(dx2, dx1, "linear dx");
        assertArrayEquals(dw2, dw1, "linear dw");
        float[] y1 = new float[m * d], y2 = new float[m * d];
        TrainingKernels.linear(y1, x, w, new float[n * d], m, n, d);
        ScalarTrainingKernels.linear(y2, x, w, new float[n * d], m, n, d);
        assertArrayEquals(y2, y1, "linear");

        float[] t1 = random(r, 5 * n, 1), t2 = t1.clone();
        int[] tokens = {4, 0, 4, 2, 1, 1, 3, 0, 4};
        float[] g = random(r, m * n, 1);
        TrainingKernels.embeddingBackward(t1, g, tokens, m, n);
        ScalarTrainingKernels.embeddingBackward(t2, g, tokens, m, n);
        assertArrayEquals(t2, t1, "embedding");
        float[] b1 = random(r, n, 1), b2 = b1.clone();
        TrainingKernels.biasBackward(b1, g, m, n);
        ScalarTrainingKernels.biasBackward(b2, g, m, n);
        assertArrayEquals(b2, b1, "bias");

        float[] p1 = random(r, n, 1), p2 = p1.clone(), m1 = random(r, n, 0.1), m2 = m1.clone(), v1 = new float[n], grads = random(r, n, 1);
        for (int i = 0; i < n; i++) v1[i] = Math.abs(m1[i]);
        float[] v2 = v1.clone();
        TrainingKernels.adamw(p1, m1, v1, grads, n, 3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.271f, 0.0975f);
        ScalarTrainingKernels.adamw(p2, m2, v2, grads, n, 3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f, 0.271f, 0.0975f);
        assertArrayEquals(p2, p1, "adamw p");
        assertArrayEquals(m2, m1, "adamw m");
        assertArrayEquals(v2, v1, "adamw v");

        int dh = 2 * n, s = 5, heads = 2, rows = s * 2;
        float[] cos = new float[s * n], sin = new float[s * n];
        TrainingKernels.ropeTable(cos, sin, s, dh, 10000f);
        float[] q1 = random(r, rows * heads * dh, 1), q2 = q1.clone();
        TrainingKernels.ropeBackward(q1, cos, sin, rows, s, heads, dh, false);
        ScalarTrainingKernels.ropeBackward(q2, cos, sin, rows, s, heads, dh, false);
        assertArrayEquals(q2, q1, "rope backward");
        TrainingKernels.rope(q1, cos, sin, rows, s, heads, dh, false);
        ScalarTrainingKernels.rope(q2, cos, sin, rows, s, heads, dh, false);
        assertArrayEquals(q2, q1, "rope");
    }

    /** Kernels that sum a row across vector lanes, or whose exp differs in the last bit: equal within 2e-6 relative. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 67, 130})
    void closeTwins(int n) {
        Random r = new Random(n);
        int m = 4;
        float[] x = random(r, m * n, 1), w = random(r, n, 1), b = random(r, n, 1), dy = random(r, m * n, 1);
        float[] a1 = new float[m * n], a2 = new float[m * n], w1 = new float[n], w2 = new float[n], c1 = new float[n], c2 = new float[n];
        TrainingKernels.rmsNormBackward(a1, w1, dy, x, w, m, n, 1e-5f);
        ScalarTrainingKernels.rmsNormBackward(a2, w2, dy, x, w, m, n, 1e-5f);
        close("rmsNorm dx", a2, a1);
        close("rmsNorm dw", w2, w1);
        Arrays.fill(a1, 0); Arrays.fill(a2, 0); Arrays.fill(w1, 0); Arrays.fill(w2, 0);
        TrainingKernels.layerNormBackward(a1, w1, c1, dy, x, w, m, n, 1e-5f);
        ScalarTrainingKernels.layerNormBackward(a2, w2, c2, dy, x, w, m, n, 1e-5f);
        close("layerNorm dx", a2, a1);
        close("layerNorm dw", w2, w1);
        close("layerNorm db", c2, c1);
        float[] y = x.clone();
        Kernels.softmaxRows(y, m, n);
        TrainingKernels.softmaxBackward(a1, dy, y, m, n);
        ScalarTrainingKernels.softmaxBackward(a2, dy, y, m, n);
        close("softmax", a2, a1);
        TrainingKernels.siluBackward(a1, dy, x, m * n);
        ScalarTrainingKernels.siluBackward(a2, dy, x, m * n);
        close("silu", a2, a1);
        float[] u1 = new float[m * n], u2 = new float[m * n];
        TrainingKernels.swigluBackward(a1, u1, dy, x, dy, m * n);
        ScalarTrainingKernels.swigluBackward(a2, u2, dy, x, dy, m * n);
        close("swiglu gate", a2, a1);
        close("swiglu up", u2, u1);
        TrainingKernels.geluBackward(a1, dy, x, m * n);
        ScalarTrainingKernels.geluBackward(a2, dy, x, m * n);
        close("gelu", a2, a1);
        TrainingKernels.geluTanhBackward(a1, dy, x, m * n);
        ScalarTrainingKernels.geluTanhBackward(a2, dy, x, m * n);
        close("gelu tanh", a2, a1);
        int[] targets = {0, -1, n - 1, n / 2};
        float[] logits = random(r, m * n, 3);
        double l1 = TrainingKernels.crossEntropy(a1, logits, targets, m, n, 0.25f);
        double l2 = ScalarTrainingKernels.crossEntropy(a2, logits, targets, m, n, 0.25f);
        assertEquals(l2, l1, 2e-6 * Math.abs(l2) + 1e-6, "cross-entropy loss");
        close("cross-entropy", a2, a1);

        int batch = 2, s = Math.min(n, 13), heads = 4, kvHeads = 2, dh = 5;
        float[] q = random(r, batch * s * heads * dh, 1), k = random(r, batch * s * kvHeads * dh, 1), v = random(r, k.length, 1);
        float[] z1 = new float[q.length], z2 = new float[q.length], p1 = new float[batch * heads * s * s], p2 = new float[p1.length];
        TrainingKernels.attention(z1, p1, q, k, v, batch, s, heads, kvHeads, dh);
        ScalarTrainingKernels.attention(z2, p2, q, k, v, batch, s, heads, kvHeads, dh);
        close("attention z", z2, z1);
        float[] dz = random(r, q.length, 1);
        float[] dq1 = new float[q.length], dq2 = new float[q.length], dk1 = new float[k.length], dk2 = new float[k.length];
        float[] dv1 = new float[k.length], dv2 = new float[k.length];
        TrainingKernels.attentionBackward(dq1, dk1, dv1, dz, p2, q, k, v, batch, s, heads, kvHeads, dh);
        ScalarTrainingKernels.attentionBackward(dq2, dk2, dv2, dz, p2, q, k, v, batch, s, heads, kvHeads, dh);
        close("attention dq", dq2, dq1);
        close("attention dk", dk2, dk1);
        assertArrayEquals(dv2, dv1, "attention dv: one FMA chain per element, as the twin");
    }

    private static void close(String what, float[] expected, float[] actual) {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += expected[i] * (double) expected[i];
        }
        assertTrue(Math.sqrt(diff) <= 2e-6 * Math.sqrt(norm) + 1e-12, what + ": vector and scalar differ by " + Math.sqrt(diff / Math.max(norm, 1e-30)));
    }
}
