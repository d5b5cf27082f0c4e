package dev.glassbox.explorer.bench;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.kernels.ScalarKernels;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Quantize;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.Collection;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The speed of the inference kernels on one thread, measured by JMH:
 * <ol>
 * <li>{@link #peak}: the register-only FMA peak, independent FloatVector FMA chains that never touch memory,
 *     the ceiling any matmul on this core can reach;</li>
 * <li>{@link #matmul}: the F32 matmul at MiniLM's shapes (hidden 384, FFN 1536; 128, 32, 8 tokens and one);</li>
 * <li>{@link #bandwidth} and {@link #decode}: one thread's memory bandwidth, and one token's mat-vec against weights
 *     far larger than the caches in F32, Q8_0 and Q4_0, as a fraction of it (what decoding is bound by);</li>
 * <li>{@link #vector} and {@link #scalar}: each vector kernel and its scalar twin, at the sizes MiniLM uses.</li>
 * </ol>
 * {@link #main} runs them and derives what JMH cannot: GFLOP/s, the matmul's fraction of the peak and each
 * kernel's speed-up over its twin, printed as {@code RESULT name=value} lines (JMH's own table comes first,
 * its JSON goes to {@code target/jmh-kernels.json}). The peak and the matmul run minutes apart, and on a shared
 * machine the load between them differs, so the fraction of peak divides their fastest iterations (the ones
 * least disturbed), not their means; the peak gets twice the iterations to find its fastest.
 * Run: {@code ./mvnw -q -B -pl explorer -Pbench verify} (with the other benchmarks), or this class alone on the
 * test class path with any JMH options, e.g. {@code -f 2 -i 10 'KernelBenchmark.(vector|scalar)' -p kernel=dot}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1500m"})
public class KernelBenchmark {
    private static final VectorSpecies<Float> SPECIES = Kernels.SPECIES;
    /** FMA steps per call of {@link #peak}: 12 chains, so 12 x STEPS x lanes x 2 flops a call. */
    private static final int STEPS = 10_000;

    /**
     * 12 independent FMA chains, 12 x 16 x 2 flops per step at 512 bits: enough to cover the FMA latency on two ports.
     * Not inlined: inlined into JMH's measuring loop, C2 recompiled it after the warm-up into code half as fast
     * (35 us a call against 17 us; matmul then beat the "peak" by 2x).
     */
    @Benchmark
    @Measurement(iterations = 10, time = 1)
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float peak() {
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector m = FloatVector.broadcast(SPECIES, 0.99999f), c = FloatVector.broadcast(SPECIES, 1e-5f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c); a5 = a5.fma(m, c);
            a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** x (m,n) @ w (n,d) -> out (m,d), shapes named "m x n x d". */
    @State(Scope.Thread)
    public static class MatmulShape {
        @Param({"128x384x384", "128x384x1536", "128x1536x384", "32x384x1536", "8x384x1536", "1x384x1536"})
        public String shape;
        int m;
        float[] x, out;
        Matrix.F32 w;

        @Setup
        public void setUp() {
            Kernels.setThreads(1);
            int[] mnd = dims(shape);
            m = mnd[0];
            x = random(mnd[0] * mnd[1], 1);
            w = new Matrix.F32(random(mnd[1] * mnd[2], 2), mnd[1], mnd[2]);
            out = new float[mnd[0] * mnd[2]];
        }
    }

    @Benchmark
    public float[] matmul(MatmulShape s) {
        Kernels.matmul(s.out, s.x, s.w, s.m);
        return s.out;
    }

    /**
     * This machine's memory bandwidth for one thread, the ceiling of decoding one token: a vector sum over 128 MB of
     * floats (far more than the 48 MB L3 cache), read as four streams at once (the four quarters of the array, as a
     * mat-vec reads several weight rows) with two accumulators each, so that neither one stream's prefetching nor the
     * adds' latency sets the pace. (One stream with four accumulators read 10.7 GB/s where the F32 mat-vec read 13.7.)
     * With {@code size=weights} the same sum reads the weights of a 384 x 1536 matmul (2.4 MB: in L3, not in L2),
     * again and again: the ceiling of a matmul of few rows, which reads each weight once per call.
     */
    @State(Scope.Thread)
    public static class Stream {
        static final int FLOATS = 32 << 20, WEIGHTS = 384 * 1536;
        @Param({"memory", "weights"})
        public String size;
        float[] data;

        @Setup
        public void setUp() {
            data = random(size.equals("memory") ? FLOATS : WEIGHTS, 21);
        }
    }

    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float bandwidth(Stream s) {
        float[] d = s.data;
        int quarter = d.length / 4, lanes = SPECIES.length();
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i + 2 * lanes <= quarter; i += 2 * lanes) {
            a0 = a0.add(FloatVector.fromArray(SPECIES, d, i));
            a1 = a1.add(FloatVector.fromArray(SPECIES, d, i + lanes));
            a2 = a2.add(FloatVector.fromArray(SPECIES, d, quarter + i));
            a3 = a3.add(FloatVector.fromArray(SPECIES, d, quarter + i + lanes));
            a4 = a4.add(FloatVector.fromArray(SPECIES, d, 2 * quarter + i));
            a5 = a5.add(FloatVector.fromArray(SPECIES, d, 2 * quarter + i + lanes));
            a6 = a6.add(FloatVector.fromArray(SPECIES, d, 3 * quarter + i));
            a7 = a7.add(FloatVector.fromArray(SPECIES, d, 3 * quarter + i + lanes));
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    /**
     * Decoding one token: one row of x times a weight matrix of ~110-130 MB in each format (F32 4096 x 8192, Q8_0
     * 8192 x 12288, Q4_0 8192 x 24576), so that every weight comes from memory, as in a real model's decode step. The
     * quantized blocks are random bytes with a fixed scale (building them from floats would need ~800 MB of floats).
     */
    @State(Scope.Thread)
    public static class Decode {
        @Param({"f32", "q8_0", "q4_0"})
        public String format;
        float[] x, out;
        Matrix w;
        long weightBytes;

        @Setup
        public void setUp() {
            Kernels.setThreads(1);
            int n = format.equals("f32") ? 4096 : 8192, d = switch (format) {
                case "f32" -> 8192;
                case "q8_0" -> 12288;
                default -> 24576;
            };
            x = random(n, 22);
            out = new float[d];
            if (format.equals("f32")) {
                w = new Matrix.F32(random(n * d, 23), n, d);
                weightBytes = 4L * n * d;
                return;
            }
            boolean q4 = format.equals("q4_0");
            int blockBytes = q4 ? 18 : 34;
            weightBytes = (long) d * (n / 32) * blockBytes;
            java.lang.foreign.MemorySegment blocks = java.lang.foreign.Arena.ofAuto().allocate(weightBytes, 64);
            Random random = new Random(24);
            byte[] block = new byte[blockBytes];
            short scale = Float.floatToFloat16(0.01f);
            for (long at = 0; at < weightBytes; at += blockBytes) {
                random.nextBytes(block);
                block[0] = (byte) scale;
                block[1] = (byte) (scale >> 8);
                java.lang.foreign.MemorySegment.copy(block, 0, blocks, java.lang.foreign.ValueLayout.JAVA_BYTE, at, blockBytes);
            }
            w = q4 ? new Matrix.Q4_0(blocks, n, d) : new Matrix.Q8_0(blocks, n, d);
        }
    }

    @Benchmark
    public float[] decode(Decode s) {
        Kernels.matmul(s.out, s.x, s.w, 1);
        return s.out;
    }

    /**
     * The inputs of every kernel at MiniLM sizes: 128 tokens, hidden 384, 12 heads of 32, FFN 1536. In-place
     * kernels (softmax, the activations) first copy their input, in both forms alike.
     */
    @State(Scope.Thread)
    public static class KernelInputs {
        @Param({"matmul", "matvec", "dot", "softmax", "layerNorm", "rmsNorm", "gelu", "geluTanh", "silu", "rope",
                "attention", "matmul_q8_0", "matmul_q4_0", "matmul_q8_0_32rows"})
        public String kernel;

        final int m = 128, h = 384, f = 1536, heads = 12, hd = 32;
        float[] x384, x32, out32, one, oneOut, a, b, weight, bias, normed, scores, pattern, act, work, rope, q, k, v, z;
        Matrix.F32 f32;
        Matrix q8, q4;

        @Setup
        public void setUp() {
            Kernels.setThreads(1);
            x384 = random(m * h, 3);
            f32 = new Matrix.F32(random(h * f, 4), h, f);
            a = random(h, 5);
            b = random(h, 6);
            weight = random(h, 7);
            bias = random(h, 8);
            normed = new float[m * h];
            scores = random(heads * m * m, 9);
            pattern = new float[heads * m * m];
            act = random(m * f, 10);
            work = new float[m * f];
            rope = random(m * 2 * heads * 64, 11);
            q = random(m * h, 12);
            k = random(m * h, 13);
            v = random(m * h, 14);
            z = new float[m * h];
            one = random(h, 15);
            oneOut = new float[f];
            q8 = new Matrix.Q8_0(Quantize.encode(DType.Q8_0, random(h * f, 16)), h, f);
            q4 = new Matrix.Q4_0(Quantize.encode(DType.Q4_0, random(h * f, 16)), h, f);
            x32 = random(32 * h, 17);
            out32 = new float[32 * f];
        }
    }

    @Benchmark
    public void vector(KernelInputs in, Blackhole bh) {
        int m = in.m, h = in.h, heads = in.heads, hd = in.hd;
        switch (in.kernel) {
            case "matmul" -> { Kernels.matmul(in.out32, in.x32, in.f32, 32); bh.consume(in.out32); }
            case "matvec" -> { Kernels.matmul(in.oneOut, in.one, in.f32, 1); bh.consume(in.oneOut); }
            case "dot" -> bh.consume(Kernels.dot(in.a, in.b, h));
            case "softmax" -> { copy(in.scores, in.pattern); Kernels.softmaxRows(in.pattern, heads * m, m); bh.consume(in.pattern); }
            case "layerNorm" -> { Kernels.layerNorm(in.normed, in.x384, in.weight, in.bias, m, h, 1e-12f); bh.consume(in.normed); }
            case "rmsNorm" -> { Kernels.rmsNorm(in.normed, in.x384, in.weight, m, h, 1e-6f); bh.consume(in.normed); }
            case "gelu" -> { copy(in.act, in.work); Kernels.gelu(in.work, in.work.length); bh.consume(in.work); }
            case "geluTanh" -> { copy(in.act, in.work); Kernels.geluTanh(in.work, in.work.length); bh.consume(in.work); }
            case "silu" -> { copy(in.act, in.work); Kernels.silu(in.work, in.work.length); bh.consume(in.work); }
            case "rope" -> { Kernels.rope(in.rope, m, 2 * heads, 64, 0, 10000f, false); bh.consume(in.rope); }
            case "attention" -> {
                Kernels.attentionScores(in.pattern, in.q, in.k, m, m, heads, heads, hd, 0, false);
                Kernels.softmaxRows(in.pattern, heads * m, m);
                Kernels.attentionValues(in.z, in.pattern, in.v, m, m, heads, heads, hd);
                bh.consume(in.z);
            }
            case "matmul_q8_0" -> { Kernels.matmul(in.oneOut, in.one, in.q8, 1); bh.consume(in.oneOut); }
            case "matmul_q4_0" -> { Kernels.matmul(in.oneOut, in.one, in.q4, 1); bh.consume(in.oneOut); }
            case "matmul_q8_0_32rows" -> { Kernels.matmul(in.out32, in.x32, in.q8, 32); bh.consume(in.out32); }
            default -> throw new IllegalArgumentException("no kernel named " + in.kernel);
        }
    }

    /** The same calls as {@link #vector}, on the scalar twins. */
    @Benchmark
    public void scalar(KernelInputs in, Blackhole bh) {
        int m = in.m, h = in.h, heads = in.heads, hd = in.hd;
        switch (in.kernel) {
            case "matmul" -> { ScalarKernels.matmul(in.out32, in.x32, in.f32, 32); bh.consume(in.out32); }
            case "matvec" -> { ScalarKernels.matmul(in.oneOut, in.one, in.f32, 1); bh.consume(in.oneOut); }
            case "dot" -> bh.consume(ScalarKernels.dot(in.a, in.b, h));
            case "softmax" -> { copy(in.scores, in.pattern); ScalarKernels.softmaxRows(in.pattern, heads * m, m); bh.consume(in.pattern); }
            case "layerNorm" -> { ScalarKernels.layerNorm(in.normed, in.x384, in.weight, in.bias, m, h, 1e-12f); bh.consume(in.normed); }
            case "rmsNorm" -> { ScalarKernels.rmsNorm(in.normed, in.x384, in.weight, m, h, 1e-6f); bh.consume(in.normed); }
            case "gelu" -> { copy(in.act, in.work); ScalarKernels.gelu(in.work, in.work.length); bh.consume(in.work); }
            case "geluTanh" -> { copy(in.act, in.work); ScalarKernels.geluTanh(in.work, in.work.length); bh.consume(in.work); }
            case "silu" -> { copy(in.act, in.work); ScalarKernels.silu(in.work, in.work.length); bh.consume(in.work); }
            case "rope" -> { ScalarKernels.rope(in.rope, m, 2 * heads, 64, 0, 10000f, false); bh.consume(in.rope); }
            case "attention" -> {
                ScalarKernels.attentionScores(in.pattern, in.q, in.k, m, m, heads, heads, hd, 0, false);
                ScalarKernels.softmaxRows(in.pattern, heads * m, m);
                ScalarKernels.attentionValues(in.z, in.pattern, in.v, m, m, heads, heads, hd);
                bh.consume(in.z);
            }
            case "matmul_q8_0" -> { ScalarKernels.matmul(in.oneOut, in.one, in.q8, 1); bh.consume(in.oneOut); }
            case "matmul_q4_0" -> { ScalarKernels.matmul(in.oneOut, in.one, in.q4, 1); bh.consume(in.oneOut); }
            case "matmul_q8_0_32rows" -> { ScalarKernels.matmul(in.out32, in.x32, in.q8, 32); bh.consume(in.out32); }
            default -> throw new IllegalArgumentException("no kernel named " + in.kernel);
        }
    }

    // ---------------------------------------------------------------- running and the derived figures

    /** Runs the benchmarks (JMH options and filters in {@code args}), then prints the derived figures. */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) options.include(KernelBenchmark.class.getName() + "\\.");
        if (cli.getResult().orElse(null) == null) options.resultFormat(ResultFormatType.JSON).result("target/jmh-kernels.json");
        System.out.printf("vector width %d bits (%s), 1 thread%n", Kernels.vectorBits(), SPECIES);
        if (Kernels.vectorBits() == 0) System.out.println("glassbox.vector.bits=0: the 'vector' kernels run their scalar twins");
        report(new Runner(options.build()).run());
    }

    /** GFLOP/s of the peak and each matmul, the matmul's fraction of peak, and the scalar/vector ratio per kernel. */
    static void report(Collection<RunResult> results) {
        Result peak = find(results, "peak", null, null);
        double peakBest = Double.NaN;                                   // GFLOP/s of the fastest iteration
        if (peak != null) {
            double flops = 12.0 * STEPS * SPECIES.length() * 2;
            perSecond("peak_gflops", flops, peak);
            peakBest = flops / (peak.getStatistics().getMin() * 1e3);
        }
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith(".matmul")) continue;
            String shape = r.getParams().getParam("shape");
            int[] mnd = dims(shape);
            double best = perSecond("matmul_" + shape + "_gflops", 2.0 * mnd[0] * mnd[1] * mnd[2], r.getPrimaryResult());
            if (!Double.isNaN(peakBest)) line("matmul_fraction_of_peak_" + shape, best / peakBest, Double.NaN, Double.NaN);
        }
        Result stream = find(results, "bandwidth", "size", "memory"), cached = find(results, "bandwidth", "size", "weights");
        double bandwidthBest = Double.NaN;                              // GB/s of the fastest iteration
        if (stream != null) bandwidthBest = perSecond("memory_bandwidth_gbps", 4.0 * Stream.FLOATS, stream);
        if (cached != null) {
            // a matmul of m <= 8 rows (one tile of rows) reads each 4-byte weight once for 2 m flops: its ceiling is m / 2 flops a byte read
            double cachedBest = perSecond("weights_bandwidth_gbps", 4.0 * Stream.WEIGHTS, cached);
            for (RunResult r : results) {
                if (!r.getParams().getBenchmark().endsWith(".matmul")) continue;
                int m = dims(r.getParams().getParam("shape"))[0];
                if (m <= 8 && !Double.isNaN(peakBest)) line("matmul_read_bound_fraction_of_peak_" + r.getParams().getParam("shape"),
                        Math.min(1, cachedBest * m / 2 / peakBest), Double.NaN, Double.NaN);
            }
        }
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith(".decode")) continue;
            String format = r.getParams().getParam("format");
            double best = perSecond("decode_" + format + "_gbps", decodeBytes(format), r.getPrimaryResult());
            if (!Double.isNaN(bandwidthBest)) line("decode_fraction_of_bandwidth_" + format, best / bandwidthBest, Double.NaN, Double.NaN);
        }
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith(".vector")) continue;
            String kernel = r.getParams().getParam("kernel");
            Result vector = r.getPrimaryResult(), scalar = find(results, "scalar", "kernel", kernel);
            if (scalar == null) continue;
            line("speedup_" + kernel, scalar.getScore() / vector.getScore(),
                    (scalar.getScore() - scalar.getScoreError()) / (vector.getScore() + vector.getScoreError()),
                    (scalar.getScore() + scalar.getScoreError()) / (vector.getScore() - vector.getScoreError()));
        }
    }

    /**
     * Billions of something a second (flops: GFLOP/s; bytes: GB/s) from an amount per call and a time per call in
     * microseconds: the mean's (with its range) and the fastest iteration's, which it returns.
     */
    private static double perSecond(String name, double amountPerCall, Result time) {
        line(name, amountPerCall / (time.getScore() * 1e3), amountPerCall / ((time.getScore() + time.getScoreError()) * 1e3),
                amountPerCall / ((time.getScore() - time.getScoreError()) * 1e3));
        double best = amountPerCall / (time.getStatistics().getMin() * 1e3);
        line(name + "_best", best, Double.NaN, Double.NaN);
        return best;
    }

    /** Weight bytes one {@link #decode} call reads (the shapes of {@link Decode}). */
    private static double decodeBytes(String format) {
        return switch (format) {
            case "f32" -> 4.0 * 4096 * 8192;
            case "q8_0" -> 12288.0 * (8192 / 32) * 34;
            default -> 24576.0 * (8192 / 32) * 18;
        };
    }

    /** One figure, its range from the 99.9% confidence intervals JMH gives (none from a single iteration), and its {@code RESULT} line. */
    private static void line(String name, double value, double low, double high) {
        String range = !(low > 0) ? ""                                  // no interval, or one wider than the value
                : high > 0 && Double.isFinite(high) ? String.format(Locale.ROOT, "(%.2f - %.2f)", low, high)
                : String.format(Locale.ROOT, "(%.2f - unbounded)", low);
        System.out.printf(Locale.ROOT, "   %-45s %.2f %s%n", name, value, range);
        System.out.printf(Locale.ROOT, "RESULT %s=%.3f%n", name, value);
    }

    private static Result find(Collection<RunResult> results, String method, String param, String value) {
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("." + method)
                    && (param == null || value.equals(r.getParams().getParam(param)))) return r.getPrimaryResult();
        }
        return null;
    }

    static int[] dims(String shape) {
        String[] parts = shape.split("x");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
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
