package dev.glassbox.explorer.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in the layout the kernels want: it maps an input of size {@code n} to an output of
 * size {@code d}, so {@code x (m,n) @ W -> out (m,d)}. The float form stores W input-major, the way
 * the broadcast-and-FMA matmul reads it; the quantized forms keep the GGUF layout (one row of blocks
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

    /** w (n,d), input-major: {@code out[j] = sum_k x[k] * w[k * d + j]}. */
    record F32(float[] w, int n, int d) implements Matrix {
        public F32 {
            if (n <= 0 || d <= 0 || w.length < (long) n * d) {
                throw new IllegalArgumentException("an F32 matrix (n=" + n + ", d=" + d + ") needs " + (long) n * d
                        + " floats, found " + w.length);
            }
        }
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

    /** From PyTorch's nn.Linear layout, weight (d,n) with one row per output, to the kernels' w (n,d). */
    static F32 transposed(float[] wOutIn, int n, int d) {
        if (wOutIn.length < (long) n * d) {
            throw new IllegalArgumentException("a (" + d + "," + n + ") weight needs " + (long) n * d + " floats, found " + wOutIn.length);
        }
        float[] w = new float[n * d];
        int tile = 32;                                  // square tiles, so both sides are read and written a cache line at a time
        for (int j0 = 0; j0 < d; j0 += tile) {
            for (int k0 = 0; k0 < n; k0 += tile) {
                for (int j = j0, jEnd = Math.min(d, j0 + tile); j < jEnd; j++) {
                    for (int k = k0, kEnd = Math.min(n, k0 + tile); k < kEnd; k++) w[k * d + j] = wOutIn[j * n + k];
                }
            }
        }
        return new F32(w, n, d);
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
