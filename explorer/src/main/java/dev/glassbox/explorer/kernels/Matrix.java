package dev.glassbox.explorer.kernels;

import java.lang.foreign.MemorySegment;
import java.util.function.ObjIntConsumer;

/**
 * A weight matrix in the layout the kernels want: it maps an input of size {@code n} to an output of
 * size {@code d}, so {@code x (m,n) @ W -> out (m,d)}. The float form stores W in column panels, the way
 * the register-tiled matmul reads it; the quantized forms keep the GGUF layout (one row of blocks
 * per output), so a mapped GGUF tensor is used where it lies, without a copy.
 */
public sealed interface Matrix permits Matrix.F32, Matrix.Q8_0, Matrix.Q4_0 {
    /** Bytes in one GGUF Q8_0 block: a float16 scale and 32 int8 values. */
    int Q8_0_BLOCK_BYTES = 34;
    /** Bytes in one GGUF Q4_0 block: a float16 scale and 32 4-bit values packed two per byte. */
    int Q4_0_BLOCK_BYTES = 18;

    /** Input size: the length of one row of x. */
    int n();

    /** Output size: the length of one row of out. */
    int d();

    /**
     * A float matrix W (n,d): {@code out[j] = sum_k x[k] * W[k][j]}. It is stored in column panels of
     * {@link #width()} columns (the matmul's widest register tile), each panel's n rows one after another, so a tile
     * streams its slice of W from contiguous memory instead of picking it out of rows d floats apart
     * (1.2 - 1.35x faster at 8 to 128 rows of x on MiniLM's shapes, see BENCHMARKS.md). Panel p holds columns
     * [p * width, p * width + r) with r = min(width, d - p * width), at {@code panels[p * width * n + k * r + (j - p * width)]}.
     * {@link #w()} gives the plain input-major layout, for code of one's own.
     */
    final class F32 implements Matrix {
        private final float[] panels;
        private final int n, d, width;
        private volatile float[] plain;

        /** W from w (n,d), input-major ({@code W[k][j] = w[k * d + j]}); w is copied, not kept. */
        public F32(float[] w, int n, int d) {
            this(n, d);
            if (w.length < (long) n * d) {
                throw new IllegalArgumentException("an F32 matrix (n=" + n + ", d=" + d + ") needs " + (long) n * d
                        + " floats, found " + w.length);
            }
            for (int k = 0; k < n; k++) scatterRow(w, k * d, k);
        }

        /**
         * W (n,d) row by row, input-major: {@code readRow.accept(row, k)} fills row (d floats) with W[k]. For weights
         * read from a file, so that no second n x d array is made on the way.
         */
        public static F32 fromRows(int n, int d, ObjIntConsumer<float[]> readRow) {
            F32 m = new F32(n, d);
            float[] row = new float[d];
            for (int k = 0; k < n; k++) {
                readRow.accept(row, k);
                m.scatterRow(row, 0, k);
            }
            return m;
        }

        /** Row k of W, from row[from, from + d), into every panel. */
        private void scatterRow(float[] row, int from, int k) {
            for (int j0 = 0; j0 < d; j0 += width) {
                int r = Math.min(width, d - j0);
                System.arraycopy(row, from + j0, panels, j0 * n + k * r, r);
            }
        }

        private F32(int n, int d) {
            if (n <= 0 || d <= 0 || (long) n * d > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("an F32 matrix needs 0 < n * d < 2^31, found n=" + n + ", d=" + d);
            }
            this.n = n;
            this.d = d;
            this.width = Tiles.WIDE;
            this.panels = new float[n * d];
        }

        @Override public int n() { return n; }

        @Override public int d() { return d; }

        /** Columns per panel (the last panel may have fewer). */
        public int width() { return width; }

        /** The panels, as described above; the kernels read them, nobody writes them. */
        float[] panels() { return panels; }

        /**
         * W (n,d) input-major, {@code W[k][j] = w()[k * d + j]}: unpacked on the first call and kept. A copy: writing to
         * it does not change this matrix.
         */
        public float[] w() {
            float[] w = plain;
            if (w == null) {
                w = new float[n * d];
                for (int j0 = 0, at = 0; j0 < d; j0 += width) {
                    int r = Math.min(width, d - j0);
                    for (int k = 0; k < n; k++, at += r) System.arraycopy(panels, at, w, k * d + j0, r);
                }
                plain = w;
            }
            return w;
        }

        @Override public String toString() { return "F32[n=" + n + ", d=" + d + ", panels of " + width + " columns]"; }
    }

    /**
     * d rows of n/32 GGUF Q8_0 blocks, little-endian (the llama.cpp tensor with ne0 = n, ne1 = d):
     * {@code out[j] = sum_k x[k] * W[j][k]} with W[j][32b + l] = scale(j, b) * int8 q(j, b, l).
     */
    record Q8_0(MemorySegment blocks, int n, int d) implements Matrix {
        public Q8_0 {
            checkBlocks("Q8_0", blocks, n, d, Q8_0_BLOCK_BYTES);
        }
    }

    /**
     * d rows of n/32 GGUF Q4_0 blocks: a float16 scale, then 16 bytes whose low nibbles are elements
     * 0..15 and high nibbles elements 16..31; an element is (nibble - 8) * scale.
     */
    record Q4_0(MemorySegment blocks, int n, int d) implements Matrix {
        public Q4_0 {
            checkBlocks("Q4_0", blocks, n, d, Q4_0_BLOCK_BYTES);
        }
    }

    /** From PyTorch's nn.Linear layout, weight (d,n) with one row per output, to the kernels' float matrix. */
    static F32 transposed(float[] wOutIn, int n, int d) {
        if (wOutIn.length < (long) n * d) {
            throw new IllegalArgumentException("a (" + d + "," + n + ") weight needs " + (long) n * d + " floats, found " + wOutIn.length);
        }
        F32 m = new F32(n, d);
        for (int j0 = 0; j0 < d; j0 += m.width) {
            int r = Math.min(m.width, d - j0), panel = j0 * n;
            // one output row at a time is read whole; its writes go down one column of a panel that stays in cache
            for (int j = j0; j < j0 + r; j++) {
                for (int k = 0; k < n; k++) m.panels[panel + k * r + (j - j0)] = wOutIn[j * n + k];
            }
        }
        return m;
    }

    private static void checkBlocks(String type, MemorySegment blocks, int n, int d, int blockBytes) {
        if (n <= 0 || d <= 0 || n % 32 != 0) {
            throw new IllegalArgumentException("a " + type + " matrix needs n a positive multiple of 32 and d > 0, found n=" + n + ", d=" + d);
        }
        long bytes = (long) d * (n / 32) * blockBytes;
        if (blocks.byteSize() < bytes) {
            throw new IllegalArgumentException("a " + type + " matrix (n=" + n + ", d=" + d + ") needs " + bytes
                    + " bytes of blocks, found " + blocks.byteSize());
        }
    }
}
