package dev.glassbox.explorer.bench;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.kernels.ScalarKernels;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Quantize;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * The speed of the inference kernels, on one thread:
 * <ol>
 * <li>the register-only FMA peak: independent FloatVector FMA chains that never touch memory, the
 *     ceiling any matmul on this core can reach;</li>
 * <li>the F32 matmul at MiniLM's shapes (hidden 384, FFN 1536, 128 tokens, and one token), in GFLOP/s
 *     and as a fraction of that peak;</li>
 * <li>each vector kernel against its scalar twin, at the sizes MiniLM uses.</li>
 * </ol>
 * The machine is shared, so every figure is a median over many samples, with p10-p90 beside it, and the
 * two sides of every ratio are sampled in alternation so that both see the same load. Each figure is
 * also printed as one machine-readable line, {@code RESULT name=value}.
 * Run: {@code ./mvnw -q -B -pl explorer -Pbench verify} (with ModelFileBenchmark), or this class alone
 * with an optional argument that filters the sections by name (peak, matmul, speedup).
 */
public final class KernelBenchmark {
    private static final VectorSpecies<Float> SPECIES = Kernels.SPECIES;
    private static final int SAMPLES = 41;
    /** Each sample runs long enough (>= 2 ms) that the clock and one interruption matter little. */
    private static final long SAMPLE_NANOS = 2_000_000;

    public static void main(String[] args) {
        String only = args.length > 0 ? args[0] : "";
        Kernels.setThreads(1);
        System.out.printf("vector width %d bits (%s), 1 thread, %d samples per figure%n", Kernels.vectorBits(), SPECIES, SAMPLES);
        if (Kernels.vectorBits() == 0) System.out.println("glassbox.vector.bits=0: the 'vector' kernels run their scalar twins");
        if (only.isEmpty() || only.contains("peak") || only.contains("matmul")) peakAndMatmul(only);
        if (only.isEmpty() || only.contains("speedup")) speedups();
    }

    // ---------------------------------------------------------------- 1 and 2: peak and matmul

    static void peakAndMatmul(String only) {
        System.out.println("\n1. register-only FMA peak (12 independent chains)");
        double[] peak = samples(KernelBenchmark::peakGflops, 15);
        print("peak_gflops", peak, "GFLOP/s");
        if (!only.isEmpty() && !only.contains("matmul")) return;

        System.out.println("\n2. F32 matmul x (m,n) @ w (n,d), each sample paired with a peak sample taken just before it");
        int[][] shapes = {{128, 384, 384}, {128, 384, 1536}, {128, 1536, 384}, {32, 384, 1536}, {8, 384, 1536}, {1, 384, 1536}};
        for (int[] shape : shapes) {
            int m = shape[0], n = shape[1], d = shape[2];
            float[] x = random(m * n, 1), w = random(n * d, 2), out = new float[m * d];
            Matrix.F32 matrix = new Matrix.F32(w, n, d);
            double flops = 2.0 * m * n * d;
            Runnable op = () -> Kernels.matmul(out, x, matrix, m);
            int reps = repsFor(op);
            double[] gflops = new double[SAMPLES], fraction = new double[SAMPLES];
            for (int s = 0; s < SAMPLES; s++) {
                double p = peakGflops();
                gflops[s] = flops / time(op, reps);
                fraction[s] = gflops[s] / p;
            }
            String name = m + "x" + n + "x" + d;
            print("matmul_gflops_" + name, gflops, "GFLOP/s");
            print("matmul_fraction_of_peak_" + name, fraction, "");
        }
    }

    /** 12 independent FMA chains, 12 x 16 x 2 flops per step at 512 bits: enough to cover the FMA latency on two ports. */
    static double peakGflops() {
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector m = FloatVector.broadcast(SPECIES, 0.99999f), c = FloatVector.broadcast(SPECIES, 1e-5f);
        int steps = 100_000;
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c); a5 = a5.fma(m, c);
            a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        long nanos = System.nanoTime() - start;
        float sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
        if (sum == 42f) System.out.print("");                        // uses the chains, so the JIT cannot drop them
        return 12.0 * steps * SPECIES.length() * 2 / nanos;
    }

    // ---------------------------------------------------------------- 3: vector vs scalar

    static void speedups() {
        System.out.println("\n3. vector kernel vs its scalar twin at MiniLM sizes (128 tokens, hidden 384, 12 heads of 32, FFN 1536)");
        int m = 128, h = 384, f = 1536, heads = 12, hd = 32;
        float[] x384 = random(m * h, 3), w = random(h * f, 4), out = new float[m * f];
        float[] a = random(h, 5), b = random(h, 6), weight = random(h, 7), bias = random(h, 8), normed = new float[m * h];
        float[] scores = random(heads * m * m, 9), act = random(m * f, 10), rope = random(m * 2 * heads * 64, 11);
        float[] q = random(m * h, 12), k = random(m * h, 13), v = random(m * h, 14), z = new float[m * h];
        float[] pattern = new float[heads * m * m];
        Matrix.F32 f32 = new Matrix.F32(w, h, f);
        float[] one = random(h, 15), oneOut = new float[f];
        Matrix q8 = new Matrix.Q8_0(Quantize.encode(DType.Q8_0, random(h * f, 16)), h, f);
        Matrix q4 = new Matrix.Q4_0(Quantize.encode(DType.Q4_0, random(h * f, 16)), h, f);
        float[] x32 = random(32 * h, 17), out32 = new float[32 * f];
        float[] sink = new float[1];

        compare("matmul", "matmul 32x384 @ 384x1536",
                () -> Kernels.matmul(out32, x32, f32, 32), () -> ScalarKernels.matmul(out32, x32, f32, 32));
        compare("matvec", "matmul 1x384 @ 384x1536 (one token)",
                () -> Kernels.matmul(oneOut, one, f32, 1), () -> ScalarKernels.matmul(oneOut, one, f32, 1));
        compare("dot", "dot of 384", () -> sink[0] += Kernels.dot(a, b, h), () -> sink[0] += ScalarKernels.dot(a, b, h));
        compare("softmax", "softmax of 12 x 128 rows of 128",
                () -> { copy(scores, pattern); Kernels.softmaxRows(pattern, heads * m, m); },
                () -> { copy(scores, pattern); ScalarKernels.softmaxRows(pattern, heads * m, m); });
        compare("layerNorm", "layerNorm 128 x 384",
                () -> Kernels.layerNorm(normed, x384, weight, bias, m, h, 1e-12f),
                () -> ScalarKernels.layerNorm(normed, x384, weight, bias, m, h, 1e-12f));
        compare("rmsNorm", "rmsNorm 128 x 384",
                () -> Kernels.rmsNorm(normed, x384, weight, m, h, 1e-6f), () -> ScalarKernels.rmsNorm(normed, x384, weight, m, h, 1e-6f));
        float[] work = new float[act.length];
        compare("gelu", "gelu 128 x 1536", () -> { copy(act, work); Kernels.gelu(work, work.length); },
                () -> { copy(act, work); ScalarKernels.gelu(work, work.length); });
        compare("geluTanh", "geluTanh 128 x 1536", () -> { copy(act, work); Kernels.geluTanh(work, work.length); },
                () -> { copy(act, work); ScalarKernels.geluTanh(work, work.length); });
        compare("silu", "silu 128 x 1536", () -> { copy(act, work); Kernels.silu(work, work.length); },
                () -> { copy(act, work); ScalarKernels.silu(work, work.length); });
        compare("rope", "rope 128 positions x 24 heads of 64 (Hugging Face pairs)",
                () -> Kernels.rope(rope, m, 2 * heads, 64, 0, 10000f, false),
                () -> ScalarKernels.rope(rope, m, 2 * heads, 64, 0, 10000f, false));
        compare("attention", "attention 128 x 128 tokens, 12 heads of 32, no mask",
                () -> {
                    Kernels.attentionScores(pattern, q, k, m, m, heads, heads, hd, 0, false);
                    Kernels.softmaxRows(pattern, heads * m, m);
                    Kernels.attentionValues(z, pattern, v, m, m, heads, heads, hd);
                },
                () -> {
                    ScalarKernels.attentionScores(pattern, q, k, m, m, heads, heads, hd, 0, false);
                    ScalarKernels.softmaxRows(pattern, heads * m, m);
                    ScalarKernels.attentionValues(z, pattern, v, m, m, heads, heads, hd);
                });
        compare("matmul_q8_0", "Q8_0 matmul 1x384 @ 384x1536 (one token)",
                () -> Kernels.matmul(oneOut, one, q8, 1), () -> ScalarKernels.matmul(oneOut, one, q8, 1));
        compare("matmul_q4_0", "Q4_0 matmul 1x384 @ 384x1536 (one token)",
                () -> Kernels.matmul(oneOut, one, q4, 1), () -> ScalarKernels.matmul(oneOut, one, q4, 1));
        compare("matmul_q8_0_32rows", "Q8_0 matmul 32x384 @ 384x1536",
                () -> Kernels.matmul(out32, x32, q8, 32), () -> ScalarKernels.matmul(out32, x32, q8, 32));
        if (sink[0] == 42f) System.out.print("");
    }

    /** Times the vector and scalar forms in alternation and prints both and the ratio of their medians. */
    static void compare(String name, String what, Runnable vector, Runnable scalar) {
        int vectorReps = repsFor(vector), scalarReps = repsFor(scalar);
        double[] v = new double[SAMPLES], s = new double[SAMPLES], ratio = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            v[i] = time(vector, vectorReps) / 1e3;
            s[i] = time(scalar, scalarReps) / 1e3;
            ratio[i] = s[i] / v[i];
        }
        System.out.printf(Locale.ROOT, "   %-58s vector %s   scalar %s%n", what, stats(v, "us"), stats(s, "us"));
        print("speedup_" + name, ratio, "x");
    }

    // ---------------------------------------------------------------- timing

    /** How many runs make one sample of at least SAMPLE_NANOS, after a warm-up long enough for the JIT (~0.5 s). */
    static int repsFor(Runnable op) {
        long warmEnd = System.nanoTime() + 500_000_000L;
        int runs = 0;
        while (System.nanoTime() < warmEnd || runs < 20) {
            op.run();
            runs++;
        }
        long start = System.nanoTime();
        op.run();
        long once = Math.max(1, System.nanoTime() - start);
        return (int) Math.max(1, Math.min(1_000_000, SAMPLE_NANOS / once));
    }

    /** Nanoseconds per run, over `reps` runs. */
    static double time(Runnable op, int reps) {
        long start = System.nanoTime();
        for (int r = 0; r < reps; r++) op.run();
        return (double) (System.nanoTime() - start) / reps;
    }

    static double[] samples(java.util.function.DoubleSupplier sample, int warmups) {
        for (int i = 0; i < warmups; i++) sample.getAsDouble();
        double[] values = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) values[i] = sample.getAsDouble();
        return values;
    }

    static void print(String name, double[] values, String unit) {
        System.out.printf(Locale.ROOT, "   %-45s %s%n", name, stats(values, unit));
        System.out.printf(Locale.ROOT, "RESULT %s=%.3f%n", name, percentile(values, 50));
    }

    static String stats(double[] values, String unit) {
        return String.format(Locale.ROOT, "median %.2f%s (p10 %.2f, p90 %.2f)", percentile(values, 50),
                unit.isEmpty() ? "" : " " + unit, percentile(values, 10), percentile(values, 90));
    }

    static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(p / 100.0 * (sorted.length - 1))];
    }

    static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    static void copy(float[] from, float[] to) {
        System.arraycopy(from, 0, to, 0, from.length);
    }
}
