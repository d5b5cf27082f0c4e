package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

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
import static dev.glassbox.explorer.kernels.Numerics.binScale;

/**
 * The compute kernels, written with the Vector API. Each is static and pure, takes its output first
 * (when it has one) and its sizes explicitly, and has a twin in {@link ScalarKernels} that is its oracle.
 * All arrays are row-major and flat; a shape comment such as {@code x (m,n)} means x[i * n + j].
 *
 * <p>The vector width is chosen once, when this class loads, from the system property
 * {@code glassbox.vector.bits}: 128, 256 or 512, or 0 for no vectors at all (then every method here
 * runs its scalar twin). Without the property it is the widest this CPU runs well. Large matmuls, attention
 * (by head), softmax (by row), GELU, and on large inputs the adds and norms are split over {@link #threads()} threads
 * (property {@code glassbox.threads}, or {@link #setThreads}); each output is computed by the same operations
 * whichever thread computes it, so the thread count never changes a bit of the result (ThreadsTest).
 */
public final class Kernels {
    private static final int BITS = vectorBitsProperty();
    /** True when glassbox.vector.bits is 0: every kernel runs its scalar twin. */
    private static final boolean SCALAR = BITS == 0;
    /** The vector shape used by every kernel (512 bits with AVX-512 unless glassbox.vector.bits says otherwise). */
    public static final VectorSpecies<Float> SPECIES = SCALAR ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    private static final VectorSpecies<Integer> INT_SPECIES = VectorSpecies.of(int.class, SPECIES.vectorShape());
    private static final int L = SPECIES.length();
    /** 16 bytes: half a Q8_0 block, or all the nibbles of a Q4_0 block. */
    private static final VectorSpecies<Byte> BYTES_16 = ByteVector.SPECIES_128;
    /** Float vectors per 16 quants: 1 at 512 bits, 2 at 256, 4 at 128. */
    private static final int PARTS = 16 / L;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Swaps each lane with its neighbour (0<->1, 2<->3, ...): the partner of each element in an interleaved RoPE pair. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(SPECIES, i -> i ^ 1);
    /**
     * Below this many multiply-adds (m * n * d, about 40 us of work) a matmul runs on the calling thread:
     * handing part of it to a parked worker and waiting for it costs 10-20 us here, more on a busy machine.
     */
    static final long PARALLEL_MIN = 1L << 21;
    /**
     * Below this many elements a row-wise or element-wise kernel runs on the calling thread: softmax and GELU take
     * ~1 ns an element, so 16 us, more than a hand-off to a waiting worker even on a busy machine.
     */
    static final long SPLIT_MIN_ELEMENTS = 1L << 14;
    /**
     * The same for the kernels that only stream memory (adds, bias, LayerNorm; 0.05 - 0.2 ns an element): MiniLM's
     * (256, 384) does not reach it. Split at 49K elements (128 tokens), they were 3-8x slower on two threads of a
     * loaded machine (MiniLmProfile: addBias 0.23 -> 1.78 ms a pass), each of their 36 jobs a pass waiting for a worker.
     */
    static final long SPLIT_MIN_STREAMING = 1L << 18;
    /** Element-wise kernels split flat arrays into ranges of whole multiples of this (a multiple of every vector length), so only the last range has a tail. */
    private static final int GRAIN = 256;

    private Kernels() {}

    private static int vectorBitsProperty() {
        String value = System.getProperty("glassbox.vector.bits");
        if (value == null || value.isBlank()) return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return switch (value.trim()) {
            case "0" -> 0;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException(
                    "system property glassbox.vector.bits must be 0 (scalar), 128, 256 or 512, found \"" + value + "\"");
        };
    }

    /** The vector width in bits the kernels use, or 0 when they run their scalar twins. */
    public static int vectorBits() {
        return BITS;
    }

    /** How many threads a large matmul is split over (the calling thread included). */
    public static int threads() {
        return Workers.threads();
    }

    /**
     * Runs {@code work} with every kernel it calls kept on the calling thread, whatever {@link #threads()} says for
     * everybody else: background work (a training run on a server) then takes one core and leaves the shared
     * workers to the requests. Results are the same, since they never depend on the thread count.
     */
    public static void onCallingThreadOnly(Runnable work) {
        Workers.alone(work);
    }

    /** Sets {@link #threads()}; 1 runs everything on the calling thread. For benchmarks and lessons. */
    public static void setThreads(int n) {
        Workers.setThreads(n);
    }

    // ---------------------------------------------------------------- exp

    private static final float LOG2E = 1.44269504088896341f, ROUNDER = 12582912f;   // 1.5 * 2^23: x + ROUNDER - ROUNDER rounds to an integer
    private static final float LN2_HI = 0.693145751953125f, LN2_LO = 1.42860682030941723212e-6f;   // ln 2 split so n * LN2_HI is exact

    /**
     * e^x lane by lane from additions, multiplications and FMAs only: x = n ln 2 + r with |r| <= ln 2 / 2, e^r by its
     * Taylor polynomial to r^7 (truncation 5e-9 relative, within 2 ulp in all), times 2^n built in the exponent bits.
     * Why not {@code lanewise(EXP)}: that is a different function when the JIT compiles it (a vector math library) than
     * when it does not (Math.exp per lane), so the same call could give other bits later in a run; training's promise of
     * identical weights needs every lane operation to be exactly rounded. Below -103 the result is 0, above ln(FLT_MAX) = 88.72283
     * infinity, as Math.exp rounds.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-103f).min(88.72283f);
        FloatVector n = c.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = n.mul(-LN2_HI).add(c);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(SPECIES, 1f / 5040);
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 720));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 0.5f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        p = p.fma(r, FloatVector.broadcast(SPECIES, 1f));
        // 2^n as 2^(n/2) * 2^(n - n/2), so that n down to -149 (subnormal results) still has two normal factors
        IntVector whole = (IntVector) n.convertShape(VectorOperators.F2I, INT_SPECIES, 0);
        IntVector first = whole.lanewise(VectorOperators.ASHR, 1), second = whole.sub(first);
        FloatVector scale1 = first.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = second.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale1).mul(scale2).blend(0f, x.lt(-103f)).blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.72283f));
    }

    /** Shuffles that pair lane i with lane i ^ (L/2), i ^ (L/4), ..., i ^ 1: the levels of {@link #sumLanes}'s tree. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] FOLDS = foldShuffles();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] foldShuffles() {
        int levels = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] folds = new VectorShuffle[levels];
        for (int level = 0; level < levels; level++) {
            int distance = L >> (level + 1);
            folds[level] = VectorShuffle.fromOp(SPECIES, i -> i ^ distance);
        }
        return folds;
    }

    /**
     * The lanes of v added as a fixed tree: each level adds lane i and lane i ^ distance, halving the distance.
     * Why not {@code reduceLanes(ADD)}: its order is unspecified, and the compiled form adds in another order than the
     * interpreted one, so a sum could change bits once the JIT compiles a kernel; training needs the same bits every time.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }

    // ---------------------------------------------------------------- matmul

    /**
     * x (m,n) @ W (n,d) -> out (m,d), overwriting out; n and d come from W. Quantized matrices are
     * multiplied straight from their blocks: each block is turned into floats in registers as it is used.
     */
    public static void matmul(float[] out, float[] x, Matrix w, int m) {
        if (SCALAR) {
            ScalarKernels.matmul(out, x, w, m);
            return;
        }
        switch (w) {
            case Matrix.F32 f -> matmulPanels(out, x, f, null, m);
            case Matrix.Q8_0 q -> matmulQuantized(out, x, q.blocks(), false, null, m, q.n(), q.d());
            case Matrix.Q4_0 q -> matmulQuantized(out, x, q.blocks(), true, null, m, q.n(), q.d());
        }
    }

    /**
     * A linear layer, x (m,n) @ W + bias (d,) -> out (m,d), overwriting out. The same numbers as {@link #matmul} then
     * {@link #addBias}, but each part of the output gets its bias right after its tiles, from the core that wrote it
     * and while it is still in that core's cache.
     */
    public static void linear(float[] out, float[] x, Matrix w, float[] bias, int m) {
        if (SCALAR) {
            ScalarKernels.linear(out, x, w, bias, m);
            return;
        }
        assert bias.length >= w.d() : "a bias of " + w.d() + " floats expected, found " + bias.length;
        switch (w) {
            case Matrix.F32 f -> matmulPanels(out, x, f, bias, m);
            case Matrix.Q8_0 q -> matmulQuantized(out, x, q.blocks(), false, bias, m, q.n(), q.d());
            case Matrix.Q4_0 q -> matmulQuantized(out, x, q.blocks(), true, bias, m, q.n(), q.d());
        }
    }

    /** x (m,n) @ W (+ bias when not null) -> out (m,d) from W's packed column panels; split over panels when large. */
    private static void matmulPanels(float[] out, float[] x, Matrix.F32 w, float[] bias, int m) {
        int n = w.n(), d = w.d(), width = w.width();
        assert x.length >= m * n && out.length >= m * d : "matmul (" + m + "," + n + ") @ (" + n + "," + d + ")";
        float[] panels = w.panels();
        Workers.split((d + width - 1) / width, 1, (long) m * n * width, PARALLEL_MIN, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int j0 = p * width, j1 = Math.min(d, j0 + width);
                Tiles.panel(out, d, x, m, n, panels, j0 * n, j0, j1);
                if (bias != null) addBiasColumns(out, bias, m, d, j0, j1);
            }
        });
    }

    /** out[i][j] += bias[j] for i < m, j in [j0, j1). */
    private static void addBiasColumns(float[] out, float[] bias, int m, int d, int j0, int j1) {
        for (int i = 0; i < m; i++) {
            int row = i * d, j = j0;
            for (int bound = j0 + SPECIES.loopBound(j1 - j0); j < bound; j += L) {
                FloatVector.fromArray(SPECIES, out, row + j).add(FloatVector.fromArray(SPECIES, bias, j)).intoArray(out, row + j);
            }
            for (; j < j1; j++) out[row + j] += bias[j];
        }
    }

    /** x (m,n) @ w (n,d) -> out (m,d), overwriting out; register-tiled (see {@link Tiles}), split over columns when large. */
    public static void matmul(float[] out, float[] x, float[] w, int m, int n, int d) {
        if (SCALAR) {
            ScalarKernels.matmul(out, x, w, m, n, d);
            return;
        }
        assert x.length >= m * n && w.length >= n * d && out.length >= m * d : "matmul (" + m + "," + n + ") @ (" + n + "," + d + ")";
        int panels = (d + Tiles.WIDE - 1) / Tiles.WIDE;
        // whole column panels per part, so each column gets the same tiles as when run alone
        Workers.split(panels, 1, (long) m * n * Tiles.WIDE, PARALLEL_MIN, (p0, p1) ->
                Tiles.gemm(out, 0, d, x, 0, n, w, 0, d, m, n, p0 * Tiles.WIDE, Math.min(d, p1 * Tiles.WIDE)));
    }

    /** How many threads a matmul of m * n * d multiply-adds gets, at most one per unit of work. */
    private static int parts(int m, int n, int d, int units) {
        int threads = Workers.threads();
        if (threads == 1 || (long) m * n * d < PARALLEL_MIN) return 1;
        return Math.max(1, Math.min(threads, units));
    }

    /** x (m,n) @ W (d rows of n/32 Q8_0 or Q4_0 blocks)^T (+ bias when not null) -> out (m,d); split over W's rows when large. */
    private static void matmulQuantized(float[] out, float[] x, MemorySegment blocks, boolean q4, float[] bias, int m, int n, int d) {
        assert x.length >= m * n && out.length >= m * d;
        int parts = parts(m, n, d, d);
        int chunk = (d + parts - 1) / parts;
        Workers.run(parts, p -> {
            int j0 = p * chunk, j1 = Math.min(d, j0 + chunk);
            if (j0 >= j1) return;
            quantizedRows(out, x, blocks, q4, m, n, d, j0, j1);
            if (bias != null) addBiasColumns(out, bias, m, d, j0, j1);
        });
    }

    /** Columns [j0, j1) of out (m,d), from weight rows j0..j1 - 1. */
    private static void quantizedRows(float[] out, float[] x, MemorySegment blocks, boolean q4, int m, int n, int d, int j0, int j1) {
        long rowBytes = (long) (n / 32) * (q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES);
        int i = 0;
        if (m >= 4) {
            // four rows of x share each decoded block; weight rows go in groups that stay in L1 while every row of x passes
            int group = (int) Math.max(1, Math.min(j1 - j0, 16 * 1024 / rowBytes));
            for (int g = j0; g < j1; g += group) {
                int gEnd = Math.min(j1, g + group);
                for (i = 0; i + 4 <= m; i += 4) {
                    int j = g;
                    for (; j + 2 <= gEnd; j += 2) quantized4x2(out, x, blocks, q4, n, d, i, j, j * rowBytes, rowBytes);
                    if (j < gEnd) quantized4x1(out, x, blocks, q4, n, d, i, j, j * rowBytes);
                }
            }
        }
        for (; i < m; i++) {                                        // the rows left: one row of x against four weight rows at a time
            int j = j0;
            for (; j + 4 <= j1; j += 4) quantized1x4(out, x, blocks, q4, n, d, i, j, rowBytes);
            for (; j < j1; j++) out[i * d + j] = dotQuantized(blocks, j * rowBytes, q4, x, i * n, n);
        }
    }

    /*
     * Every quantized dot below sums a block's integer quants times x first and multiplies by the block's scale once:
     * out = sum over blocks of scale * (q . x), the scale applied per block of 32 instead of per weight.
     */

    /** out[i..i+3][j..j+1] = x rows i..i+3 . weight rows j, j+1 (at bytes at, at + rowBytes): each x vector feeds two rows. */
    private static void quantized4x2(float[] out, float[] x, MemorySegment blocks, boolean q4, int n, int d, int i, int j, long at, long rowBytes) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int x0 = i * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        int blockBytes = q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES;
        for (int k = 0; k < n; k += 32, at += blockBytes) {
            FloatVector ba0 = FloatVector.zero(SPECIES), ba1 = ba0, ba2 = ba0, ba3 = ba0, bb0 = ba0, bb1 = ba0, bb2 = ba0, bb3 = ba0;
            for (int half = 0; half < 2; half++) for (int part = 0; part < PARTS; part++) {
                FloatVector qa = blockQuants(blocks, at, q4, half, part), qb = blockQuants(blocks, at + rowBytes, q4, half, part);
                int e = k + 16 * half + part * L;
                FloatVector v0 = FloatVector.fromArray(SPECIES, x, x0 + e), v1 = FloatVector.fromArray(SPECIES, x, x1 + e);
                FloatVector v2 = FloatVector.fromArray(SPECIES, x, x2 + e), v3 = FloatVector.fromArray(SPECIES, x, x3 + e);
                ba0 = qa.fma(v0, ba0); ba1 = qa.fma(v1, ba1); ba2 = qa.fma(v2, ba2); ba3 = qa.fma(v3, ba3);
                bb0 = qb.fma(v0, bb0); bb1 = qb.fma(v1, bb1); bb2 = qb.fma(v2, bb2); bb3 = qb.fma(v3, bb3);
            }
            FloatVector sa = FloatVector.broadcast(SPECIES, scale(blocks, at)), sb = FloatVector.broadcast(SPECIES, scale(blocks, at + rowBytes));
            a0 = ba0.fma(sa, a0); a1 = ba1.fma(sa, a1); a2 = ba2.fma(sa, a2); a3 = ba3.fma(sa, a3);
            b0 = bb0.fma(sb, b0); b1 = bb1.fma(sb, b1); b2 = bb2.fma(sb, b2); b3 = bb3.fma(sb, b3);
        }
        out[i * d + j] = a0.reduceLanes(VectorOperators.ADD);
        out[(i + 1) * d + j] = a1.reduceLanes(VectorOperators.ADD);
        out[(i + 2) * d + j] = a2.reduceLanes(VectorOperators.ADD);
        out[(i + 3) * d + j] = a3.reduceLanes(VectorOperators.ADD);
        out[i * d + j + 1] = b0.reduceLanes(VectorOperators.ADD);
        out[(i + 1) * d + j + 1] = b1.reduceLanes(VectorOperators.ADD);
        out[(i + 2) * d + j + 1] = b2.reduceLanes(VectorOperators.ADD);
        out[(i + 3) * d + j + 1] = b3.reduceLanes(VectorOperators.ADD);
    }

    /** out[i..i+3][j] = x rows i..i+3 . weight row j (at byte `at`). */
    private static void quantized4x1(float[] out, float[] x, MemorySegment blocks, boolean q4, int n, int d, int i, int j, long at) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        int x0 = i * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        int blockBytes = q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES;
        for (int k = 0; k < n; k += 32, at += blockBytes) {
            FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
            for (int half = 0; half < 2; half++) for (int part = 0; part < PARTS; part++) {
                FloatVector q = blockQuants(blocks, at, q4, half, part);
                int e = k + 16 * half + part * L;
                c0 = q.fma(FloatVector.fromArray(SPECIES, x, x0 + e), c0);
                c1 = q.fma(FloatVector.fromArray(SPECIES, x, x1 + e), c1);
                c2 = q.fma(FloatVector.fromArray(SPECIES, x, x2 + e), c2);
                c3 = q.fma(FloatVector.fromArray(SPECIES, x, x3 + e), c3);
            }
            FloatVector s = FloatVector.broadcast(SPECIES, scale(blocks, at));
            a0 = c0.fma(s, a0); a1 = c1.fma(s, a1); a2 = c2.fma(s, a2); a3 = c3.fma(s, a3);
        }
        out[i * d + j] = a0.reduceLanes(VectorOperators.ADD);
        out[(i + 1) * d + j] = a1.reduceLanes(VectorOperators.ADD);
        out[(i + 2) * d + j] = a2.reduceLanes(VectorOperators.ADD);
        out[(i + 3) * d + j] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** out[i][j..j+3] = x row i . weight rows j..j+3 (each rowBytes long): the mat-vec of decoding one token. */
    private static void quantized1x4(float[] out, float[] x, MemorySegment blocks, boolean q4, int n, int d, int i, int j, long rowBytes) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0, s0 = a0, s1 = a0, s2 = a0, s3 = a0;
        int blockBytes = q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES;
        long at0 = j * rowBytes, at1 = at0 + rowBytes, at2 = at1 + rowBytes, at3 = at2 + rowBytes;
        int xi = i * n;
        for (int k = 0; k < n; k += 32, at0 += blockBytes, at1 += blockBytes, at2 += blockBytes, at3 += blockBytes) {
            // the same sums either way, but C2 schedules the loop better with Q4_0's scales read first and Q8_0's last
            // (one 384 x 1536 mat-vec at 512 bits, fastest of 6000 calls: Q4_0 70 us against 113, Q8_0 40 us against 45)
            if (q4) {
                s0 = FloatVector.broadcast(SPECIES, scale(blocks, at0)); s1 = FloatVector.broadcast(SPECIES, scale(blocks, at1));
                s2 = FloatVector.broadcast(SPECIES, scale(blocks, at2)); s3 = FloatVector.broadcast(SPECIES, scale(blocks, at3));
            }
            FloatVector c0 = FloatVector.zero(SPECIES), c1 = c0, c2 = c0, c3 = c0;
            for (int half = 0; half < 2; half++) for (int part = 0; part < PARTS; part++) {
                FloatVector xv = FloatVector.fromArray(SPECIES, x, xi + k + 16 * half + part * L);
                c0 = blockQuants(blocks, at0, q4, half, part).fma(xv, c0);
                c1 = blockQuants(blocks, at1, q4, half, part).fma(xv, c1);
                c2 = blockQuants(blocks, at2, q4, half, part).fma(xv, c2);
                c3 = blockQuants(blocks, at3, q4, half, part).fma(xv, c3);
            }
            if (!q4) {
                s0 = FloatVector.broadcast(SPECIES, scale(blocks, at0)); s1 = FloatVector.broadcast(SPECIES, scale(blocks, at1));
                s2 = FloatVector.broadcast(SPECIES, scale(blocks, at2)); s3 = FloatVector.broadcast(SPECIES, scale(blocks, at3));
            }
            a0 = c0.fma(s0, a0); a1 = c1.fma(s1, a1); a2 = c2.fma(s2, a2); a3 = c3.fma(s3, a3);
        }
        out[i * d + j] = a0.reduceLanes(VectorOperators.ADD);
        out[i * d + j + 1] = a1.reduceLanes(VectorOperators.ADD);
        out[i * d + j + 2] = a2.reduceLanes(VectorOperators.ADD);
        out[i * d + j + 3] = a3.reduceLanes(VectorOperators.ADD);
    }

    /** The f16 scale of the block at byte `at`, as a float. */
    private static float scale(MemorySegment blocks, long at) {
        return Float.float16ToFloat(blocks.get(F16, at));
    }

    /**
     * Elements 16 half + part L .. + L - 1 of the block at byte `at` as floats: its quants, without the scale. Q8_0
     * stores them as signed bytes; Q4_0 keeps elements 0..15 in the low nibbles and 16..31 in the high nibbles of the
     * same 16 bytes, each offset by 8.
     */
    private static FloatVector blockQuants(MemorySegment blocks, long at, boolean q4, int half, int part) {
        return (FloatVector) quants(blocks, at, q4, half).convertShape(VectorOperators.B2F, SPECIES, part);
    }

    /** The 16 quants of half {@code half} of the block at byte `at`, as signed bytes. */
    private static ByteVector quants(MemorySegment blocks, long at, boolean q4, int half) {
        if (!q4) return ByteVector.fromMemorySegment(BYTES_16, blocks, at + 2 + 16 * half, ByteOrder.LITTLE_ENDIAN);
        ByteVector packed = ByteVector.fromMemorySegment(BYTES_16, blocks, at + 2, ByteOrder.LITTLE_ENDIAN);
        return (half == 0 ? packed.and((byte) 0x0F) : packed.lanewise(VectorOperators.LSHR, 4)).sub((byte) 8);
    }

    /** The n/32 Q8_0 blocks at byte {@code byteOffset} (n values) . x[xOffset, xOffset + n). */
    static float dotQ8_0(MemorySegment blocks, long byteOffset, float[] x, int xOffset, int n) {
        if (SCALAR) return ScalarKernels.dotQ8_0(blocks, byteOffset, x, xOffset, n);
        return dotQuantized(blocks, byteOffset, false, x, xOffset, n);
    }

    /** The n/32 Q4_0 blocks at byte {@code byteOffset} (n values) . x[xOffset, xOffset + n). */
    static float dotQ4_0(MemorySegment blocks, long byteOffset, float[] x, int xOffset, int n) {
        if (SCALAR) return ScalarKernels.dotQ4_0(blocks, byteOffset, x, xOffset, n);
        return dotQuantized(blocks, byteOffset, true, x, xOffset, n);
    }

    private static float dotQuantized(MemorySegment blocks, long at, boolean q4, float[] x, int xOffset, int n) {
        assert n % 32 == 0 && x.length >= xOffset + n : "a quantized dot needs whole blocks of 32, found n=" + n;
        int blockBytes = q4 ? Matrix.Q4_0_BLOCK_BYTES : Matrix.Q8_0_BLOCK_BYTES;
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int k = 0; k < n; k += 32, at += blockBytes) {
            FloatVector block = FloatVector.zero(SPECIES);
            for (int half = 0; half < 2; half++) for (int part = 0; part < PARTS; part++) {
                block = blockQuants(blocks, at, q4, half, part).fma(FloatVector.fromArray(SPECIES, x, xOffset + k + 16 * half + part * L), block);
            }
            sum = block.fma(FloatVector.broadcast(SPECIES, scale(blocks, at)), sum);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }

    // ---------------------------------------------------------------- elementwise

    /** x (m,d) += bias (d,) on every row. */
    public static void addBias(float[] x, float[] bias, int m, int d) {
        if (SCALAR) {
            ScalarKernels.addBias(x, bias, m, d);
            return;
        }
        assert x.length >= m * d && bias.length >= d;
        Workers.split(m, 1, d, SPLIT_MIN_STREAMING, (r0, r1) -> addBiasRows(x, bias, r0, r1, d));
    }

    private static void addBiasRows(float[] x, float[] bias, int r0, int r1, int d) {
        for (int i = r0; i < r1; i++) {
            int row = i * d, j = 0;
            for (int bound = SPECIES.loopBound(d); j < bound; j += L) {
                FloatVector.fromArray(SPECIES, x, row + j).add(FloatVector.fromArray(SPECIES, bias, j)).intoArray(x, row + j);
            }
            for (; j < d; j++) x[row + j] += bias[j];
        }
    }

    /** a (n,) . b (n,) -> scalar, accumulated lane-wise with fused multiply-add, then reduced. */
    public static float dot(float[] a, float[] b, int n) {
        return dot(a, 0, b, 0, n);
    }

    /** a[aOffset, aOffset + n) . b[bOffset, bOffset + n); two accumulators, so one FMA need not wait for the last. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        if (SCALAR) return ScalarKernels.dot(a, aOffset, b, bOffset, n);
        assert a.length >= aOffset + n && b.length >= bOffset + n : "dot of " + n + " needs arrays that long";
        FloatVector sum0 = FloatVector.zero(SPECIES), sum1 = sum0;
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            sum0 = FloatVector.fromArray(SPECIES, a, aOffset + i).fma(FloatVector.fromArray(SPECIES, b, bOffset + i), sum0);
            sum1 = FloatVector.fromArray(SPECIES, a, aOffset + i + L).fma(FloatVector.fromArray(SPECIES, b, bOffset + i + L), sum1);
        }
        if (i + L <= n) {
            sum0 = FloatVector.fromArray(SPECIES, a, aOffset + i).fma(FloatVector.fromArray(SPECIES, b, bOffset + i), sum0);
            i += L;
        }
        float result = sum0.add(sum1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) result += a[aOffset + i] * b[bOffset + i];      // the tail that does not fill a vector
        return result;
    }

    /** out (n,) = a + b; out may be a or b. */
    public static void add(float[] out, float[] a, float[] b, int n) {
        if (SCALAR) {
            ScalarKernels.add(out, a, b, n);
            return;
        }
        assert out.length >= n && a.length >= n && b.length >= n;
        Workers.split(n, GRAIN, 1, SPLIT_MIN_STREAMING, (from, to) -> {
            int i = from;
            for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(SPECIES, a, i).add(FloatVector.fromArray(SPECIES, b, i)).intoArray(out, i);
            }
            for (; i < to; i++) out[i] = a[i] + b[i];
        });
    }

    /** out (n,) = a * b elementwise; out may be a or b. */
    public static void mul(float[] out, float[] a, float[] b, int n) {
        if (SCALAR) {
            ScalarKernels.mul(out, a, b, n);
            return;
        }
        assert out.length >= n && a.length >= n && b.length >= n;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, a, i).mul(FloatVector.fromArray(SPECIES, b, i)).intoArray(out, i);
        }
        for (; i < n; i++) out[i] = a[i] * b[i];
    }

    /** x (n,) *= s. */
    public static void scale(float[] x, float s, int n) {
        if (SCALAR) {
            ScalarKernels.scale(x, s, n);
            return;
        }
        scaleRange(x, 0, s, n);
    }

    static void scaleRange(float[] x, int offset, float s, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(SPECIES, x, offset + i).mul(s).intoArray(x, offset + i);
        }
        for (; i < n; i++) x[offset + i] *= s;
    }

    // ---------------------------------------------------------------- softmax and norms

    /**
     * x[offset, offset + n) -> exp(x - max) / sum, in place. Subtracting the max keeps exp from overflowing;
     * a row that is all -infinity (every key masked) becomes all 0 rather than 0/0 = NaN.
     */
    public static void softmax(float[] x, int offset, int n) {
        if (SCALAR) {
            ScalarKernels.softmax(x, offset, n);
            return;
        }
        assert x.length >= offset + n;
        int bound = SPECIES.loopBound(n), i = 0;
        FloatVector maxes = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (; i < bound; i += L) maxes = maxes.max(FloatVector.fromArray(SPECIES, x, offset + i));
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, x[offset + i]);
        if (max == Float.NEGATIVE_INFINITY) {
            Arrays.fill(x, offset, offset + n, 0f);
            return;
        }
        FloatVector sums = FloatVector.zero(SPECIES);
        for (i = 0; i < bound; i += L) {
            FloatVector shifted = FloatVector.fromArray(SPECIES, x, offset + i).sub(max);
            FloatVector e = exp(shifted).blend(0f, shifted.lt(SOFTMAX_CUTOFF));
            e.intoArray(x, offset + i);
            sums = sums.add(e);
        }
        float sum = sumLanes(sums);
        for (; i < n; i++) {
            float shifted = x[offset + i] - max;
            float e = shifted < SOFTMAX_CUTOFF ? 0f : (float) Math.exp(shifted);
            x[offset + i] = e;
            sum += e;
        }
        scaleRange(x, offset, 1f / sum, n);
    }

    /** x (rows,n): {@link #softmax} of each row. */
    public static void softmaxRows(float[] x, int rows, int n) {
        Workers.split(rows, 1, n, SPLIT_MIN_ELEMENTS, (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmax(x, r * n, n);
        });
    }

    /** x (m,n) -> out (m,n): per row (x - mean) / sqrt(var + eps) * weight + bias, with the biased variance (divide by n). */
    public static void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int m, int n, float eps) {
        if (SCALAR) {
            ScalarKernels.layerNorm(out, x, weight, bias, m, n, eps);
            return;
        }
        assert out.length >= m * n && x.length >= m * n && weight.length >= n && bias.length >= n;
        Workers.split(m, 1, n, SPLIT_MIN_STREAMING, (r0, r1) -> layerNormRows(out, x, weight, bias, r0, r1, n, eps));
    }

    private static void layerNormRows(float[] out, float[] x, float[] weight, float[] bias, int r0, int r1, int n, float eps) {
        int bound = SPECIES.loopBound(n);
        for (int r = r0; r < r1; r++) {
            int row = r * n, i = 0;
            FloatVector sums = FloatVector.zero(SPECIES);
            for (; i < bound; i += L) sums = sums.add(FloatVector.fromArray(SPECIES, x, row + i));
            float sum = sumLanes(sums);                                   // a fixed order: the same bits compiled or not
            for (; i < n; i++) sum += x[row + i];
            float mean = sum / n;
            FloatVector squares = FloatVector.zero(SPECIES);               // a second pass over x - mean: no cancellation as in E[x^2] - mean^2
            for (i = 0; i < bound; i += L) {
                FloatVector dev = FloatVector.fromArray(SPECIES, x, row + i).sub(mean);
                squares = dev.fma(dev, squares);
            }
            float var = sumLanes(squares);
            for (; i < n; i++) var += (x[row + i] - mean) * (x[row + i] - mean);
            var /= n;
            float rstd = (float) (1 / Math.sqrt(var + eps));
            for (i = 0; i < bound; i += L) {
                FloatVector normed = FloatVector.fromArray(SPECIES, x, row + i).sub(mean).mul(rstd);
                normed.fma(FloatVector.fromArray(SPECIES, weight, i), FloatVector.fromArray(SPECIES, bias, i)).intoArray(out, row + i);
            }
            for (; i < n; i++) out[row + i] = (x[row + i] - mean) * rstd * weight[i] + bias[i];
        }
    }

    /** x (m,n) -> out (m,n): per row x / sqrt(mean(x^2) + eps) * weight. */
    public static void rmsNorm(float[] out, float[] x, float[] weight, int m, int n, float eps) {
        if (SCALAR) {
            ScalarKernels.rmsNorm(out, x, weight, m, n, eps);
            return;
        }
        assert out.length >= m * n && x.length >= m * n && weight.length >= n;
        int bound = SPECIES.loopBound(n);
        for (int r = 0; r < m; r++) {
            int row = r * n, i = 0;
            FloatVector squares = FloatVector.zero(SPECIES);
            for (; i < bound; i += L) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, row + i);
                squares = v.fma(v, squares);
            }
            float ss = sumLanes(squares);
            for (; i < n; i++) ss += x[row + i] * x[row + i];
            float factor = (float) (1 / Math.sqrt(ss / n + eps));
            for (i = 0; i < bound; i += L) {
                FloatVector.fromArray(SPECIES, x, row + i).mul(factor).mul(FloatVector.fromArray(SPECIES, weight, i)).intoArray(out, row + i);
            }
            for (; i < n; i++) out[row + i] = x[row + i] * factor * weight[i];
        }
    }

    // ---------------------------------------------------------------- activations

    /**
     * x (n,) -> 0.5 x (1 + erf(x / sqrt 2)), in place: the exact GELU of BERT. Computed as in
     * {@link ScalarKernels#gelu}, from erfc(|x| / sqrt 2) = exp(-x^2 / 2) * t * P(t), t = 1 / (1 + q |x|),
     * which keeps its relative accuracy (about 1e-7) even far out in the negative tail.
     */
    public static void gelu(float[] x, int n) {
        if (SCALAR) {
            ScalarKernels.gelu(x, n);
            return;
        }
        assert x.length >= n;
        Workers.split(n, GRAIN, 1, SPLIT_MIN_ELEMENTS, (from, to) -> {
            int i = from;
            for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += L) geluLanes(FloatVector.fromArray(SPECIES, x, i)).intoArray(x, i);
            if (i < to) {
                VectorMask<Float> tail = SPECIES.indexInRange(i, to);
                geluLanes(FloatVector.fromArray(SPECIES, x, i, tail)).intoArray(x, i, tail);
            }
        });
    }

    private static FloatVector geluLanes(FloatVector v) {
        FloatVector c = v.max(-20f).min(20f);                           // erfc(20 / sqrt 2) is 0 in float; keeps x^2 finite
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(c.abs().fma(ERFC_Q, 1f));
        FloatVector p = FloatVector.broadcast(SPECIES, ERFC_P[10]);
        for (int k = 9; k >= 0; k--) p = p.fma(t, FloatVector.broadcast(SPECIES, ERFC_P[k]));
        FloatVector hi = c.mul(c), lo = c.fma(c, hi.neg());           // x^2 = hi + lo exactly
        FloatVector gauss = exp(hi.mul(-0.5f)).mul(lo.fma(-0.5f, 1f));
        FloatVector half = v.mul(0.5f).mul(gauss.mul(t).mul(p));       // 0.5 x erfc(|x| / sqrt 2)
        return half.blend(v.sub(half), v.compare(VectorOperators.GE, 0f));
    }

    /** x (n,) -> 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), in place: GPT-2's GELU, as x * sigmoid(2u). */
    public static void geluTanh(float[] x, int n) {
        if (SCALAR) {
            ScalarKernels.geluTanh(x, n);
            return;
        }
        assert x.length >= n;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u2 = v.mul(v).fma(0.044715f, 1f).mul(v).mul(-2 * GELU_TANH_C);      // -2u
            v.div(exp(u2).add(1f)).intoArray(x, i);
        }
        for (; i < n; i++) x[i] = ScalarKernels.geluTanh(x[i]);
    }

    /** x (n,) -> x * sigmoid(x) = x / (1 + exp(-x)), in place: SiLU (swish), Llama's MLP activation. */
    public static void silu(float[] x, int n) {
        if (SCALAR) {
            ScalarKernels.silu(x, n);
            return;
        }
        assert x.length >= n;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.div(exp(v.neg()).add(1f)).intoArray(x, i);
        }
        for (; i < n; i++) x[i] = x[i] / (1 + (float) Math.exp(-x[i]));
    }

    // ---------------------------------------------------------------- rotary position embedding

    /**
     * x (m, heads*headDim), row i at position startPos + i: rotates each pair of every head by the angle
     * position * theta^(-2j/headDim), j < headDim/2, in place. interleaved = false pairs (j, j + headDim/2)
     * (Hugging Face's rotate_half); true pairs (2j, 2j + 1) (llama.cpp and GGUF files).
     * The cosines and sines are computed in double: exactly for the first row, then by turning each
     * pair's (cos, sin) one position further with the angle-addition formulas, so a prefill of m rows
     * costs headDim trig calls instead of m * headDim.
     */
    public static void rope(float[] x, int m, int heads, int headDim, int startPos, float theta, boolean interleaved) {
        if (SCALAR) {
            ScalarKernels.rope(x, m, heads, headDim, startPos, theta, interleaved);
            return;
        }
        assert headDim % 2 == 0 && x.length >= m * heads * headDim;
        int half = headDim / 2, width = heads * headDim;
        double[] cosStep = new double[half], sinStep = new double[half], cos = new double[half], sin = new double[half];
        for (int j = 0; j < half; j++) {
            double freq = ScalarKernels.ropeFrequency(theta, j, headDim);
            cosStep[j] = Math.cos(freq);
            sinStep[j] = Math.sin(freq);
            cos[j] = Math.cos(startPos * freq);
            sin[j] = Math.sin(startPos * freq);
        }
        // per lane of a row: interleaved, lanes 2j and 2j+1 both use pair j, with -sin for the first of the two
        float[] c = new float[interleaved ? headDim : half], s = new float[interleaved ? headDim : half];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < half; j++) {
                if (interleaved) {
                    c[2 * j] = c[2 * j + 1] = (float) cos[j];
                    s[2 * j] = -(float) sin[j];
                    s[2 * j + 1] = (float) sin[j];
                } else {
                    c[j] = (float) cos[j];
                    s[j] = (float) sin[j];
                }
                double next = cos[j] * cosStep[j] - sin[j] * sinStep[j];
                sin[j] = sin[j] * cosStep[j] + cos[j] * sinStep[j];
                cos[j] = next;
            }
            for (int h = 0; h < heads; h++) {
                int base = i * width + h * headDim;
                if (interleaved) {
                    for (int e = 0; e < headDim; e += L) {
                        VectorMask<Float> in = SPECIES.indexInRange(e, headDim);
                        FloatVector v = FloatVector.fromArray(SPECIES, x, base + e, in);
                        FloatVector rotated = v.mul(FloatVector.fromArray(SPECIES, c, e, in))
                                .add(v.rearrange(SWAP_PAIRS).mul(FloatVector.fromArray(SPECIES, s, e, in)));
                        rotated.intoArray(x, base + e, in);
                    }
                } else {
                    for (int j = 0; j < half; j += L) {
                        VectorMask<Float> in = SPECIES.indexInRange(j, half);
                        FloatVector x1 = FloatVector.fromArray(SPECIES, x, base + j, in);
                        FloatVector x2 = FloatVector.fromArray(SPECIES, x, base + half + j, in);
                        FloatVector cv = FloatVector.fromArray(SPECIES, c, j, in), sv = FloatVector.fromArray(SPECIES, s, j, in);
                        x1.mul(cv).sub(x2.mul(sv)).intoArray(x, base + j, in);
                        x2.mul(cv).add(x1.mul(sv)).intoArray(x, base + half + j, in);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- attention

    /**
     * q (s, heads*headDim), k (t, kvHeads*headDim) -> scores (heads, s, t) = q . k / sqrt(headDim).
     * Grouped-query: head h reads kv head h / (heads / kvHeads). causal: query i sits at position past + i
     * and key j at position j; keys with j > past + i get -infinity. Each kv head's keys are transposed
     * once to (headDim, t), so the scores of a head are a register-tiled matmul q_h (s,headDim) @ k_h^T.
     */
    public static void attentionScores(float[] scores, float[] q, float[] k, int s, int t, int heads, int kvHeads,
                                       int headDim, int past, boolean causal) {
        if (SCALAR) {
            ScalarKernels.attentionScores(scores, q, k, s, t, heads, kvHeads, headDim, past, causal);
            return;
        }
        assert heads % kvHeads == 0 && scores.length >= heads * s * t && q.length >= s * heads * headDim && k.length >= t * kvHeads * headDim;
        int group = heads / kvHeads, kvWidth = kvHeads * headDim;
        float factor = (float) (1 / Math.sqrt(headDim));
        // kv heads are split over threads: each writes its own heads' scores
        Workers.split(kvHeads, 1, (long) group * s * t * headDim, PARALLEL_MIN, (kv0, kv1) -> {
            float[] keysT = new float[headDim * t];                    // (headDim, t): one kv head's keys, transposed
            for (int kv = kv0; kv < kv1; kv++) scoresOfKvHead(scores, q, k, keysT, kv, s, t, heads, group, kvWidth, headDim, past, causal, factor);
        });
    }

    /** The scores (group, s, t) of the heads that read kv head kv; keysT (headDim, t) is scratch. */
    private static void scoresOfKvHead(float[] scores, float[] q, float[] k, float[] keysT, int kv, int s, int t, int heads, int group,
                                       int kvWidth, int headDim, int past, boolean causal, float factor) {
        for (int j = 0; j < t; j++) {
            for (int c = 0; c < headDim; c++) keysT[c * t + j] = k[j * kvWidth + kv * headDim + c];
        }
        for (int h = kv * group; h < (kv + 1) * group; h++) {
            int at = h * s * t;
            Tiles.gemm(scores, at, t, q, h * headDim, heads * headDim, keysT, 0, t, s, headDim, 0, t);
            for (int i = 0; i < s; i++) {
                int visible = causal ? Math.clamp(past + i + 1, 0, t) : t;
                scaleRange(scores, at + i * t, factor, visible);
                Arrays.fill(scores, at + i * t + visible, at + (i + 1) * t, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** pattern (heads, s, t) @ v (t, kvHeads*headDim) -> z (s, heads*headDim); head h reads kv head h / (heads / kvHeads). */
    public static void attentionValues(float[] z, float[] pattern, float[] v, int s, int t, int heads, int kvHeads, int headDim) {
        if (SCALAR) {
            ScalarKernels.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim);
            return;
        }
        assert heads % kvHeads == 0 && z.length >= s * heads * headDim && pattern.length >= heads * s * t && v.length >= t * kvHeads * headDim;
        int group = heads / kvHeads;
        Workers.split(heads, 1, (long) s * t * headDim, PARALLEL_MIN, (h0, h1) -> {     // each head writes its own columns of z
            for (int h = h0; h < h1; h++) {
                Tiles.gemm(z, h * headDim, heads * headDim, pattern, h * s * t, t, v, (h / group) * headDim, kvHeads * headDim, s, t, 0, headDim);
            }
        });
    }

    // ---------------------------------------------------------------- statistics (for the tensor browser)

    /**
     * x (n,) folded into a running summary {@code out = {finite count, min, max, sum, zero count}}
     * (indices {@link Numerics#FINITE}..{@link Numerics#ZEROS}); min, max and sum are over the finite values only, so one
     * NaN or infinity does not hide the rest. Start from {@code {0, +inf, -inf, 0, 0}}; the sum is kept
     * in float lanes within one call, so fold long arrays in chunks (of e.g. 64K values).
     */
    public static void summarize(double[] out, float[] x, int n) {
        if (SCALAR) {
            ScalarKernels.summarize(out, x, n);
            return;
        }
        assert out.length >= 5 && x.length >= n;
        FloatVector min = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
        FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector sum = FloatVector.zero(SPECIES);
        long finite = 0, zeros = 0;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            VectorMask<Float> ok = v.test(VectorOperators.IS_FINITE);
            min = min.lanewise(VectorOperators.MIN, v, ok);
            max = max.lanewise(VectorOperators.MAX, v, ok);
            sum = sum.add(v, ok);
            finite += ok.trueCount();
            zeros += v.compare(VectorOperators.EQ, 0f).trueCount();     // -0.0 counts as zero too
        }
        float lo = min.reduceLanes(VectorOperators.MIN), hi = max.reduceLanes(VectorOperators.MAX);
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {                                            // the tail that does not fill a vector
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

    /** x (n,), mean -> sum over the finite values of (x - mean)^2: the numerator of the variance. */
    public static double sumSquaredDeviations(float[] x, int n, float mean) {
        if (SCALAR) return ScalarKernels.sumSquaredDeviations(x, n, mean);
        assert x.length >= n;
        FloatVector m = FloatVector.broadcast(SPECIES, mean);
        FloatVector sum = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector dev = v.sub(m);
            sum = sum.add(dev.mul(dev), v.test(VectorOperators.IS_FINITE));
        }
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            if (!Float.isFinite(x[i])) continue;
            float dev = x[i] - mean;
            total += dev * dev;
        }
        return total;
    }

    /**
     * x (n,) -> counts (bins,) += how many values fall in each of {@code bins} equal bins over [lo, hi]:
     * bin = min(bins - 1, (int) ((x - lo) * scale)) with scale = bins / (hi - lo) (0 when hi <= lo, so a
     * constant tensor fills bin 0); values outside [lo, hi] and NaN are not counted. The bin index is
     * computed with the same float operations as the scalar twin, so the counts are identical.
     * Each lane counts into its own copy of the bins (lane l uses perLane[l * bins + bin]), so one
     * vector's lanes never hit the same counter and can be incremented with one gather, add and scatter;
     * the copies are added up at the end.
     */
    public static void histogram(long[] counts, float[] x, int n, float lo, float hi) {
        if (SCALAR) {
            ScalarKernels.histogram(counts, x, n, lo, hi);
            return;
        }
        assert x.length >= n && counts.length > 0;
        int bins = counts.length, lanes = SPECIES.length();
        float scale = binScale(bins, lo, hi);
        FloatVector low = FloatVector.broadcast(SPECIES, lo);
        FloatVector factor = FloatVector.broadcast(SPECIES, scale);
        IntVector laneBase = IntVector.zero(INT_SPECIES).addIndex(bins);          // (0, bins, 2 bins, ...)
        int[] perLane = new int[lanes * bins];
        int[] index = new int[lanes];
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += lanes) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            VectorMask<Float> inside = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            IntVector bin = ((IntVector) v.sub(low).mul(factor).convertShape(VectorOperators.F2I, INT_SPECIES, 0))
                    .max(0).min(bins - 1);                                  // lanes outside [lo, hi] are masked off, but must index in bounds
            bin.add(laneBase).intoArray(index, 0);
            VectorMask<Integer> counted = inside.cast(INT_SPECIES);
            IntVector.fromArray(INT_SPECIES, perLane, 0, index, 0, counted).add(1).intoArray(perLane, 0, index, 0, counted);
        }
        for (int l = 0; l < lanes; l++) {
            for (int b = 0; b < bins; b++) counts[b] += perLane[l * bins + b];
        }
        for (; i < n; i++) {                                            // the tail that does not fill a vector
            float v = x[i];
            if (v >= lo && v <= hi) counts[Math.min(bins - 1, (int) ((v - lo) * scale))]++;
        }
    }
}
