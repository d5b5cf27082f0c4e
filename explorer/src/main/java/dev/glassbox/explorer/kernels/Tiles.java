package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The register-tiled float matmul behind {@link Kernels#matmul} and the attention kernels:
 * {@code out[i][j] = sum_k x[i][k] * w[k][j]} over row-major buffers given by offset and row stride.
 *
 * <p>A tile of R rows of out by C vectors of columns lives in R * C accumulator registers for a whole
 * run over k. Each step loads C vectors of row k of w once, broadcasts x[i][k] once per row, and does
 * R * C fused multiply-adds, so the FMA units, not the loads, set the pace. The main tile is 8 x 3:
 * 24 of AVX-512's 32 registers hold accumulators, the rest the 3 w vectors and a broadcast; 8 rows
 * divide the usual token counts (8, 32, 128), and 6 x 4 measured no faster. Smaller tiles finish the
 * edges: 2 and 1 rows, and 2 masked vectors for the last columns (2 rather than 1, so that a narrow
 * matrix such as one attention head's 32 values still does 2 FMAs per broadcast), 2 rows at a time: a masked
 * tile of 8 or 4 rows is too big for C1's profiling tier ("out of virtual registers"), and then C2 never compiled
 * it either: it ran boxed, and training a 64-wide model (whose weight gradients end in masked columns) was 10x
 * slower (TrainingBenchmark: 2.8k -> 28.6k tokens/s at d_model 64).
 * The tiles are written out by hand (generated once from one template): the JIT keeps each
 * {@code FloatVector} local in a register, which it would not do for an array of them.
 *
 * <p>With many rows, one column panel is done at a time and k runs in blocks of {@link #KC}, so the
 * slice of w that all row tiles of the panel reuse (KC x 3 vectors, 72 KB at 512 bits) stays in the L2
 * cache, next to L1; a tile adds each block into out. With few rows the k-blocks go outermost. (Blocks small enough for L1 measured no faster: w's rows are 1.5 or 6 KB apart, so a panel's
 * lines fall into a few cache sets and would not stay in L1 anyway.)
 * Every out element is one FMA chain over k = 0, 1, ..., n - 1, whatever the tile, the blocking or
 * the split over threads, so its value does not depend on them (and equals a scalar loop using Math.fma).
 */
final class Tiles {
    private static final VectorSpecies<Float> S = Kernels.SPECIES;
    private static final int L = S.length();
    /** Columns of the main tile: 3 vectors. */
    static final int WIDE = 3 * L;
    /** Rows of k per block when m is large: KC x WIDE floats of w stay in L2 while every row tile uses them. */
    static final int KC = 384;
    /** Up to this many rows, k-blocks of KB_FEW rows go outermost instead (see {@link #gemm}). */
    static final int FEW_ROWS = 32, KB_FEW = 64;

    private Tiles() {}

    /**
     * out[oOff + i*ldo + j] = sum_k x[xOff + i*ldx + k] * w[wOff + k*ldw + j] for i < m, k < n, j in [j0, j1):
     * x (m,n) @ w (n, j0..j1) -> out (m, j0..j1), each buffer a row-major view with its own row stride.
     */
    static void gemm(float[] out, int oOff, int ldo, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                     int m, int n, int j0, int j1) {
        gemm(out, oOff, ldo, x, xOff, ldx, w, wOff, ldw, m, n, j0, j1, false);
    }

    /**
     * As {@link #gemm(float[], int, int, float[], int, int, float[], int, int, int, int, int, int)}, but with
     * {@code accumulate} the sum continues from out's value (out += x @ w): the FMA chain of each element starts
     * at out[i][j] instead of 0, so the result still does not depend on tiling or threads.
     */
    static void gemm(float[] out, int oOff, int ldo, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                     int m, int n, int j0, int j1, boolean accumulate) {
        if (n == 0) {                                               // an empty sum
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(out, oOff + i * ldo + j0, oOff + i * ldo + j1, 0f);
            return;
        }
        if (m <= FEW_ROWS) {
            // few rows reuse little of w: take k in blocks of KB_FEW across all columns, so w is read as KB_FEW
            // rows streaming side by side, which the hardware prefetchers follow (1.1-1.4x faster for m <= 32)
            for (int k0 = 0; k0 < n; k0 += KB_FEW) {
                block(out, oOff, ldo, x, xOff, ldx, w, wOff, ldw, m, j0, j1, k0, Math.min(KB_FEW, n - k0), accumulate || k0 > 0);
            }
        } else {
            // many rows: one column panel at a time, so that every row tile reuses it from cache
            for (int j = j0; j < j1; j += WIDE) {
                for (int k0 = 0; k0 < n; k0 += KC) {
                    block(out, oOff, ldo, x, xOff, ldx, w, wOff, ldw, m, j, Math.min(j1, j + WIDE), k0, Math.min(KC, n - k0), accumulate || k0 > 0);
                }
            }
        }
    }

    /**
     * out[i][j0 + c] = sum_k x[i][k] * panel[panelOffset + k * (j1 - j0) + c] for i < m, k < n, c < j1 - j0: one
     * packed column panel of a {@link Matrix.F32}, whose rows lie one after another. The tiles run over all of k at
     * once: the panel (n x WIDE floats, at most 295 KB for MiniLM) stays in L2 while the row tiles pass, and is read
     * as one stream, so neither k-blocking scheme of {@link #gemm} is needed (each is slower here).
     */
    static void panel(float[] out, int ldo, float[] x, int m, int n, float[] panel, int panelOffset, int j0, int j1) {
        block(out, 0, ldo, x, 0, n, panel, panelOffset - j0, j1 - j0, m, j0, j1, 0, n, false);
    }

    /** out[:, j0..j1) = (accumulate ? out : 0) + x[:, k0..k0+kCount) @ w[k0..k0+kCount, j0..j1), by tiles. */
    private static void block(float[] out, int oOff, int ldo, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                              int m, int j0, int j1, int k0, int kCount, boolean accumulate) {
        int xk = xOff + k0, wk = wOff + k0 * ldw;
        int j = j0;
        for (; j + WIDE <= j1; j += WIDE) {
            int i = 0;
            for (; i + 8 <= m; i += 8) tile8x3(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate);
            for (; i + 2 <= m; i += 2) tile2x3(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate);
            if (i < m) tile1x3(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate);
        }
        if (j + 2 * L <= j1) {                                      // two whole vectors left (one attention head at 512 bits): 8 rows at a time
            int i = 0;
            for (; i + 8 <= m; i += 8) tile8x2(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate);
            VectorMask<Float> all = S.maskAll(true);
            for (; i + 2 <= m; i += 2) tile2x2(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate, all, all);
            if (i < m) tile1x2(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate, all, all);
            j += 2 * L;
        }
        for (; j < j1; j += 2 * L) {                                // the last columns, two vectors at a time, masked
            VectorMask<Float> m0 = S.indexInRange(j, j1), m1 = S.indexInRange(j + L, j1);
            int i = 0;
            for (; i + 2 <= m; i += 2) tile2x2(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate, m0, m1);
            if (i < m) tile1x2(out, oOff + i * ldo + j, ldo, x, xk + i * ldx, ldx, w, wk + j, ldw, kCount, accumulate, m0, m1);
        }
    }

    // Each tile: out rows o, o + ldo, ... (R rows) by C vectors from column o; x rows from xi with stride ldx;
    // w rows from wk with stride ldw; kCount steps of k; `accumulate` adds to out instead of overwriting it.

    static void tile8x3(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32, a40, a41, a42, a50, a51, a52, a60, a61, a62, a70, a71, a72;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L);
            a10 = FloatVector.fromArray(S, out, o + ldo); a11 = FloatVector.fromArray(S, out, o + ldo + L); a12 = FloatVector.fromArray(S, out, o + ldo + 2 * L);
            a20 = FloatVector.fromArray(S, out, o + 2 * ldo); a21 = FloatVector.fromArray(S, out, o + 2 * ldo + L); a22 = FloatVector.fromArray(S, out, o + 2 * ldo + 2 * L);
            a30 = FloatVector.fromArray(S, out, o + 3 * ldo); a31 = FloatVector.fromArray(S, out, o + 3 * ldo + L); a32 = FloatVector.fromArray(S, out, o + 3 * ldo + 2 * L);
            a40 = FloatVector.fromArray(S, out, o + 4 * ldo); a41 = FloatVector.fromArray(S, out, o + 4 * ldo + L); a42 = FloatVector.fromArray(S, out, o + 4 * ldo + 2 * L);
            a50 = FloatVector.fromArray(S, out, o + 5 * ldo); a51 = FloatVector.fromArray(S, out, o + 5 * ldo + L); a52 = FloatVector.fromArray(S, out, o + 5 * ldo + 2 * L);
            a60 = FloatVector.fromArray(S, out, o + 6 * ldo); a61 = FloatVector.fromArray(S, out, o + 6 * ldo + L); a62 = FloatVector.fromArray(S, out, o + 6 * ldo + 2 * L);
            a70 = FloatVector.fromArray(S, out, o + 7 * ldo); a71 = FloatVector.fromArray(S, out, o + 7 * ldo + L); a72 = FloatVector.fromArray(S, out, o + 7 * ldo + 2 * L);
        } else {
            a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = a30 = a31 = a32 = a40 = a41 = a42 = a50 = a51 = a52 = a60 = a61 = a62 = a70 = a71 = a72 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx, x2 = xi + 2 * ldx, x3 = xi + 3 * ldx, x4 = xi + 4 * ldx, x5 = xi + 5 * ldx, x6 = xi + 6 * ldx, x7 = xi + 7 * ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11); a12 = w2.fma(b1, a12);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + k]);
            a20 = w0.fma(b2, a20); a21 = w1.fma(b2, a21); a22 = w2.fma(b2, a22);
            FloatVector b3 = FloatVector.broadcast(S, x[x3 + k]);
            a30 = w0.fma(b3, a30); a31 = w1.fma(b3, a31); a32 = w2.fma(b3, a32);
            FloatVector b4 = FloatVector.broadcast(S, x[x4 + k]);
            a40 = w0.fma(b4, a40); a41 = w1.fma(b4, a41); a42 = w2.fma(b4, a42);
            FloatVector b5 = FloatVector.broadcast(S, x[x5 + k]);
            a50 = w0.fma(b5, a50); a51 = w1.fma(b5, a51); a52 = w2.fma(b5, a52);
            FloatVector b6 = FloatVector.broadcast(S, x[x6 + k]);
            a60 = w0.fma(b6, a60); a61 = w1.fma(b6, a61); a62 = w2.fma(b6, a62);
            FloatVector b7 = FloatVector.broadcast(S, x[x7 + k]);
            a70 = w0.fma(b7, a70); a71 = w1.fma(b7, a71); a72 = w2.fma(b7, a72);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L);
        a10.intoArray(out, o + ldo); a11.intoArray(out, o + ldo + L); a12.intoArray(out, o + ldo + 2 * L);
        a20.intoArray(out, o + 2 * ldo); a21.intoArray(out, o + 2 * ldo + L); a22.intoArray(out, o + 2 * ldo + 2 * L);
        a30.intoArray(out, o + 3 * ldo); a31.intoArray(out, o + 3 * ldo + L); a32.intoArray(out, o + 3 * ldo + 2 * L);
        a40.intoArray(out, o + 4 * ldo); a41.intoArray(out, o + 4 * ldo + L); a42.intoArray(out, o + 4 * ldo + 2 * L);
        a50.intoArray(out, o + 5 * ldo); a51.intoArray(out, o + 5 * ldo + L); a52.intoArray(out, o + 5 * ldo + 2 * L);
        a60.intoArray(out, o + 6 * ldo); a61.intoArray(out, o + 6 * ldo + L); a62.intoArray(out, o + 6 * ldo + 2 * L);
        a70.intoArray(out, o + 7 * ldo); a71.intoArray(out, o + 7 * ldo + L); a72.intoArray(out, o + 7 * ldo + 2 * L);
    }

    static void tile2x3(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02, a10, a11, a12;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L);
            a10 = FloatVector.fromArray(S, out, o + ldo); a11 = FloatVector.fromArray(S, out, o + ldo + L); a12 = FloatVector.fromArray(S, out, o + ldo + 2 * L);
        } else {
            a00 = a01 = a02 = a10 = a11 = a12 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11); a12 = w2.fma(b1, a12);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L);
        a10.intoArray(out, o + ldo); a11.intoArray(out, o + ldo + L); a12.intoArray(out, o + ldo + 2 * L);
    }

    static void tile1x3(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L);
        } else {
            a00 = a01 = a02 = FloatVector.zero(S);
        }
        int x0 = xi;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L);
    }

    static void tile8x2(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51, a60, a61, a70, a71;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L);
            a10 = FloatVector.fromArray(S, out, o + ldo); a11 = FloatVector.fromArray(S, out, o + ldo + L);
            a20 = FloatVector.fromArray(S, out, o + 2 * ldo); a21 = FloatVector.fromArray(S, out, o + 2 * ldo + L);
            a30 = FloatVector.fromArray(S, out, o + 3 * ldo); a31 = FloatVector.fromArray(S, out, o + 3 * ldo + L);
            a40 = FloatVector.fromArray(S, out, o + 4 * ldo); a41 = FloatVector.fromArray(S, out, o + 4 * ldo + L);
            a50 = FloatVector.fromArray(S, out, o + 5 * ldo); a51 = FloatVector.fromArray(S, out, o + 5 * ldo + L);
            a60 = FloatVector.fromArray(S, out, o + 6 * ldo); a61 = FloatVector.fromArray(S, out, o + 6 * ldo + L);
            a70 = FloatVector.fromArray(S, out, o + 7 * ldo); a71 = FloatVector.fromArray(S, out, o + 7 * ldo + L);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = a40 = a41 = a50 = a51 = a60 = a61 = a70 = a71 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx, x2 = xi + 2 * ldx, x3 = xi + 3 * ldx, x4 = xi + 4 * ldx, x5 = xi + 5 * ldx, x6 = xi + 6 * ldx, x7 = xi + 7 * ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + k]);
            a20 = w0.fma(b2, a20); a21 = w1.fma(b2, a21);
            FloatVector b3 = FloatVector.broadcast(S, x[x3 + k]);
            a30 = w0.fma(b3, a30); a31 = w1.fma(b3, a31);
            FloatVector b4 = FloatVector.broadcast(S, x[x4 + k]);
            a40 = w0.fma(b4, a40); a41 = w1.fma(b4, a41);
            FloatVector b5 = FloatVector.broadcast(S, x[x5 + k]);
            a50 = w0.fma(b5, a50); a51 = w1.fma(b5, a51);
            FloatVector b6 = FloatVector.broadcast(S, x[x6 + k]);
            a60 = w0.fma(b6, a60); a61 = w1.fma(b6, a61);
            FloatVector b7 = FloatVector.broadcast(S, x[x7 + k]);
            a70 = w0.fma(b7, a70); a71 = w1.fma(b7, a71);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L);
        a10.intoArray(out, o + ldo); a11.intoArray(out, o + ldo + L);
        a20.intoArray(out, o + 2 * ldo); a21.intoArray(out, o + 2 * ldo + L);
        a30.intoArray(out, o + 3 * ldo); a31.intoArray(out, o + 3 * ldo + L);
        a40.intoArray(out, o + 4 * ldo); a41.intoArray(out, o + 4 * ldo + L);
        a50.intoArray(out, o + 5 * ldo); a51.intoArray(out, o + 5 * ldo + L);
        a60.intoArray(out, o + 6 * ldo); a61.intoArray(out, o + 6 * ldo + L);
        a70.intoArray(out, o + 7 * ldo); a71.intoArray(out, o + 7 * ldo + L);
    }

    static void tile2x2(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate, VectorMask<Float> m0, VectorMask<Float> m1) {
        FloatVector a00, a01, a10, a11;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o, m0); a01 = FloatVector.fromArray(S, out, o + L, m1);
            a10 = FloatVector.fromArray(S, out, o + ldo, m0); a11 = FloatVector.fromArray(S, out, o + ldo + L, m1);
        } else {
            a00 = a01 = a10 = a11 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr, m0); FloatVector w1 = FloatVector.fromArray(S, w, wr + L, m1);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11);
        }
        a00.intoArray(out, o, m0); a01.intoArray(out, o + L, m1);
        a10.intoArray(out, o + ldo, m0); a11.intoArray(out, o + ldo + L, m1);
    }

    static void tile1x2(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate, VectorMask<Float> m0, VectorMask<Float> m1) {
        FloatVector a00, a01;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o, m0); a01 = FloatVector.fromArray(S, out, o + L, m1);
        } else {
            a00 = a01 = FloatVector.zero(S);
        }
        int x0 = xi;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr, m0); FloatVector w1 = FloatVector.fromArray(S, w, wr + L, m1);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01);
        }
        a00.intoArray(out, o, m0); a01.intoArray(out, o + L, m1);
    }
}
