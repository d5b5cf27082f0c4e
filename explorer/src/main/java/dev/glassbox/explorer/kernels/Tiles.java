package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled float matmul behind {@link Kernels#matmul} and the attention kernels:
 * {@code out[i][j] = sum_k x[i][k] * w[k][j]} over row-major buffers given by offset and row stride.
 *
 * <p>A tile of R rows of out by 4 vectors of columns lives in R * 4 accumulator registers for a whole
 * run over k. Each step loads 4 vectors of row k of w once, broadcasts x[i][k] once per row, and does
 * R * 4 fused multiply-adds, so the FMA units, not the loads, set the pace: 6 x 4 uses 24 of AVX-512's
 * 32 registers for accumulators and leaves room for the 4 w vectors and a broadcast. Smaller tiles
 * (2 and 1 rows; 1 vector of columns, masked) finish the edges. The tiles are written out by hand:
 * the JIT keeps each {@code FloatVector} local in a register, which it would not do for an array of them.
 *
 * <p>k runs in blocks of {@link #KC}, so the slice of w that all row tiles of a column panel reuse
 * (KC x 4 vectors, 96 KB at 512 bits) stays in the L2 cache, close to the L1 one; a tile adds each
 * block into out. (Smaller blocks, meant for L1, measured no faster here: with w's rows 1.5 or 6 KB
 * apart, a panel's lines fall into a few cache sets and do not stay in L1 anyway.)
 * Every out element is one FMA chain over k = 0, 1, ..., n - 1, whatever the tile, the blocking or
 * the split over threads, so its value does not depend on them (and equals a scalar loop using Math.fma).
 */
final class Tiles {
    private static final VectorSpecies<Float> S = Kernels.SPECIES;
    private static final int L = S.length();
    /** Columns of the widest tile: 4 vectors. */
    static final int WIDE = 4 * L;
    /** Rows of k per block: KC x WIDE floats of w stay in L2 while every row tile uses them. */
    static final int KC = 384;

    private Tiles() {}

    /**
     * out[oOff + i*ldo + j] = sum_k x[xOff + i*ldx + k] * w[wOff + k*ldw + j] for i < m, k < n, j in [j0, j1):
     * x (m,n) @ w (n, j0..j1) -> out (m, j0..j1), each buffer a row-major view with its own row stride.
     */
    static void gemm(float[] out, int oOff, int ldo, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                     int m, int n, int j0, int j1) {
        if (n == 0) {                                               // an empty sum
            for (int i = 0; i < m; i++) java.util.Arrays.fill(out, oOff + i * ldo + j0, oOff + i * ldo + j1, 0f);
            return;
        }
        int kc = m > 6 ? KC : n;                                    // one row tile reuses nothing, so it needs no blocking
        int j = j0;
        for (; j + WIDE <= j1; j += WIDE) {
            for (int k0 = 0; k0 < n; k0 += kc) {
                int kCount = Math.min(kc, n - k0), wk = wOff + k0 * ldw + j;
                boolean accumulate = k0 > 0;
                int i = 0;
                for (; i + 6 <= m; i += 6) tile6x4(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate);
                for (; i + 2 <= m; i += 2) tile2x4(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate);
                if (i < m) tile1x4(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate);
            }
        }
        for (; j < j1; j += L) {                                    // the last columns, a vector at a time; the final one masked
            VectorMask<Float> mask = S.indexInRange(j, j1);
            for (int k0 = 0; k0 < n; k0 += kc) {
                int kCount = Math.min(kc, n - k0), wk = wOff + k0 * ldw + j;
                boolean accumulate = k0 > 0;
                int i = 0;
                for (; i + 6 <= m; i += 6) tile6x1(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate, mask);
                for (; i + 2 <= m; i += 2) tile2x1(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate, mask);
                if (i < m) tile1x1(out, oOff + i * ldo + j, ldo, x, xOff + i * ldx + k0, ldx, w, wk, ldw, kCount, accumulate, mask);
            }
        }
    }

    // Each tile: out rows o, o + ldo, ... (R rows) by C vectors from column o; x rows from xi with stride ldx;
    // w rows from wk with stride ldw; kCount steps of k; `accumulate` adds to out instead of overwriting it.

    static void tile6x4(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, a40, a41, a42, a43, a50, a51, a52, a53;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L); a03 = FloatVector.fromArray(S, out, o + 3 * L);
            a10 = FloatVector.fromArray(S, out, o + ldo); a11 = FloatVector.fromArray(S, out, o + ldo + L); a12 = FloatVector.fromArray(S, out, o + ldo + 2 * L); a13 = FloatVector.fromArray(S, out, o + ldo + 3 * L);
            a20 = FloatVector.fromArray(S, out, o + 2 * ldo); a21 = FloatVector.fromArray(S, out, o + 2 * ldo + L); a22 = FloatVector.fromArray(S, out, o + 2 * ldo + 2 * L); a23 = FloatVector.fromArray(S, out, o + 2 * ldo + 3 * L);
            a30 = FloatVector.fromArray(S, out, o + 3 * ldo); a31 = FloatVector.fromArray(S, out, o + 3 * ldo + L); a32 = FloatVector.fromArray(S, out, o + 3 * ldo + 2 * L); a33 = FloatVector.fromArray(S, out, o + 3 * ldo + 3 * L);
            a40 = FloatVector.fromArray(S, out, o + 4 * ldo); a41 = FloatVector.fromArray(S, out, o + 4 * ldo + L); a42 = FloatVector.fromArray(S, out, o + 4 * ldo + 2 * L); a43 = FloatVector.fromArray(S, out, o + 4 * ldo + 3 * L);
            a50 = FloatVector.fromArray(S, out, o + 5 * ldo); a51 = FloatVector.fromArray(S, out, o + 5 * ldo + L); a52 = FloatVector.fromArray(S, out, o + 5 * ldo + 2 * L); a53 = FloatVector.fromArray(S, out, o + 5 * ldo + 3 * L);
        } else {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = a40 = a41 = a42 = a43 = a50 = a51 = a52 = a53 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx, x2 = xi + 2 * ldx, x3 = xi + 3 * ldx, x4 = xi + 4 * ldx, x5 = xi + 5 * ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L); FloatVector w3 = FloatVector.fromArray(S, w, wr + 3 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02); a03 = w3.fma(b0, a03);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11); a12 = w2.fma(b1, a12); a13 = w3.fma(b1, a13);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + k]);
            a20 = w0.fma(b2, a20); a21 = w1.fma(b2, a21); a22 = w2.fma(b2, a22); a23 = w3.fma(b2, a23);
            FloatVector b3 = FloatVector.broadcast(S, x[x3 + k]);
            a30 = w0.fma(b3, a30); a31 = w1.fma(b3, a31); a32 = w2.fma(b3, a32); a33 = w3.fma(b3, a33);
            FloatVector b4 = FloatVector.broadcast(S, x[x4 + k]);
            a40 = w0.fma(b4, a40); a41 = w1.fma(b4, a41); a42 = w2.fma(b4, a42); a43 = w3.fma(b4, a43);
            FloatVector b5 = FloatVector.broadcast(S, x[x5 + k]);
            a50 = w0.fma(b5, a50); a51 = w1.fma(b5, a51); a52 = w2.fma(b5, a52); a53 = w3.fma(b5, a53);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L); a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o + ldo); a11.intoArray(out, o + ldo + L); a12.intoArray(out, o + ldo + 2 * L); a13.intoArray(out, o + ldo + 3 * L);
        a20.intoArray(out, o + 2 * ldo); a21.intoArray(out, o + 2 * ldo + L); a22.intoArray(out, o + 2 * ldo + 2 * L); a23.intoArray(out, o + 2 * ldo + 3 * L);
        a30.intoArray(out, o + 3 * ldo); a31.intoArray(out, o + 3 * ldo + L); a32.intoArray(out, o + 3 * ldo + 2 * L); a33.intoArray(out, o + 3 * ldo + 3 * L);
        a40.intoArray(out, o + 4 * ldo); a41.intoArray(out, o + 4 * ldo + L); a42.intoArray(out, o + 4 * ldo + 2 * L); a43.intoArray(out, o + 4 * ldo + 3 * L);
        a50.intoArray(out, o + 5 * ldo); a51.intoArray(out, o + 5 * ldo + L); a52.intoArray(out, o + 5 * ldo + 2 * L); a53.intoArray(out, o + 5 * ldo + 3 * L);
    }

    static void tile2x4(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L); a03 = FloatVector.fromArray(S, out, o + 3 * L);
            a10 = FloatVector.fromArray(S, out, o + ldo); a11 = FloatVector.fromArray(S, out, o + ldo + L); a12 = FloatVector.fromArray(S, out, o + ldo + 2 * L); a13 = FloatVector.fromArray(S, out, o + ldo + 3 * L);
        } else {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L); FloatVector w3 = FloatVector.fromArray(S, w, wr + 3 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02); a03 = w3.fma(b0, a03);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10); a11 = w1.fma(b1, a11); a12 = w2.fma(b1, a12); a13 = w3.fma(b1, a13);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L); a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o + ldo); a11.intoArray(out, o + ldo + L); a12.intoArray(out, o + ldo + 2 * L); a13.intoArray(out, o + ldo + 3 * L);
    }

    static void tile1x4(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate) {
        FloatVector a00, a01, a02, a03;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o); a01 = FloatVector.fromArray(S, out, o + L); a02 = FloatVector.fromArray(S, out, o + 2 * L); a03 = FloatVector.fromArray(S, out, o + 3 * L);
        } else {
            a00 = a01 = a02 = a03 = FloatVector.zero(S);
        }
        int x0 = xi;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr); FloatVector w1 = FloatVector.fromArray(S, w, wr + L); FloatVector w2 = FloatVector.fromArray(S, w, wr + 2 * L); FloatVector w3 = FloatVector.fromArray(S, w, wr + 3 * L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00); a01 = w1.fma(b0, a01); a02 = w2.fma(b0, a02); a03 = w3.fma(b0, a03);
        }
        a00.intoArray(out, o); a01.intoArray(out, o + L); a02.intoArray(out, o + 2 * L); a03.intoArray(out, o + 3 * L);
    }

    static void tile6x1(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate, VectorMask<Float> mask) {
        FloatVector a00, a10, a20, a30, a40, a50;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o, mask);
            a10 = FloatVector.fromArray(S, out, o + ldo, mask);
            a20 = FloatVector.fromArray(S, out, o + 2 * ldo, mask);
            a30 = FloatVector.fromArray(S, out, o + 3 * ldo, mask);
            a40 = FloatVector.fromArray(S, out, o + 4 * ldo, mask);
            a50 = FloatVector.fromArray(S, out, o + 5 * ldo, mask);
        } else {
            a00 = a10 = a20 = a30 = a40 = a50 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx, x2 = xi + 2 * ldx, x3 = xi + 3 * ldx, x4 = xi + 4 * ldx, x5 = xi + 5 * ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr, mask);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + k]);
            a20 = w0.fma(b2, a20);
            FloatVector b3 = FloatVector.broadcast(S, x[x3 + k]);
            a30 = w0.fma(b3, a30);
            FloatVector b4 = FloatVector.broadcast(S, x[x4 + k]);
            a40 = w0.fma(b4, a40);
            FloatVector b5 = FloatVector.broadcast(S, x[x5 + k]);
            a50 = w0.fma(b5, a50);
        }
        a00.intoArray(out, o, mask);
        a10.intoArray(out, o + ldo, mask);
        a20.intoArray(out, o + 2 * ldo, mask);
        a30.intoArray(out, o + 3 * ldo, mask);
        a40.intoArray(out, o + 4 * ldo, mask);
        a50.intoArray(out, o + 5 * ldo, mask);
    }

    static void tile2x1(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate, VectorMask<Float> mask) {
        FloatVector a00, a10;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o, mask);
            a10 = FloatVector.fromArray(S, out, o + ldo, mask);
        } else {
            a00 = a10 = FloatVector.zero(S);
        }
        int x0 = xi, x1 = xi + ldx;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr, mask);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + k]);
            a10 = w0.fma(b1, a10);
        }
        a00.intoArray(out, o, mask);
        a10.intoArray(out, o + ldo, mask);
    }

    static void tile1x1(float[] out, int o, int ldo, float[] x, int xi, int ldx, float[] w, int wk, int ldw, int kCount, boolean accumulate, VectorMask<Float> mask) {
        FloatVector a00;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, out, o, mask);
        } else {
            a00 = FloatVector.zero(S);
        }
        int x0 = xi;
        for (int k = 0, wr = wk; k < kCount; k++, wr += ldw) {
            FloatVector w0 = FloatVector.fromArray(S, w, wr, mask);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + k]);
            a00 = w0.fma(b0, a00);
        }
        a00.intoArray(out, o, mask);
    }
}
