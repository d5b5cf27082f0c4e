package dev.glassbox.web.inference;

import java.util.Base64;

/**
 * Attention patterns in the size the page draws them. A pattern is a probability in [0, 1], so it travels as
 * an unsigned integer: the shown layer's patterns at full size as 16 bits (steps of 1/65535, far below what a
 * colour or a printed value shows), and every head's thumbnail as 8 bits, max-pooled to at most
 * {@link #THUMB} x {@link #THUMB} so that a sharp one-token pattern stays visible when 256 tokens become 64
 * pixels. Both are little-endian and base64 in the JSON. At 256 tokens MiniLM's answer is ~2 MB instead of the
 * ~30 MB of every layer as decimal text.
 */
final class CompactAttention {
    /** Largest thumbnail side, in cells: the page draws thumbnails at most 72 CSS pixels wide. */
    static final int THUMB = 64;

    private CompactAttention() {}

    /** Side of a thumbnail for {@code n} tokens: n itself up to {@link #THUMB}, else {@link #THUMB}. */
    static int thumbSide(int n) {
        return Math.min(n, THUMB);
    }

    /** {@code pattern} (head, query, key) of {@code heads} heads over {@code n} tokens as 16-bit integers, base64. */
    static String fullLayer(float[] pattern, int heads, int n) {
        int count = heads * n * n;
        byte[] bytes = new byte[2 * count];
        for (int i = 0; i < count; i++) {
            int v = quantize(pattern[i], 65535);
            bytes[2 * i] = (byte) v;
            bytes[2 * i + 1] = (byte) (v >>> 8);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Every head's pattern of one layer, max-pooled to side {@code t} (cell (i, j) is the largest weight of the
     * queries and keys that fall in it), as 8-bit integers (head, i, j), appended to {@code out} at {@code offset}.
     */
    static void thumbnails(float[] pattern, int heads, int n, int t, byte[] out, int offset) {
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < t; i++) {
                int q0 = i * n / t, q1 = (i + 1) * n / t;
                for (int j = 0; j < t; j++) {
                    int k0 = j * n / t, k1 = (j + 1) * n / t;
                    float max = 0;
                    for (int q = q0; q < q1; q++) {
                        int rowStart = (h * n + q) * n;
                        for (int k = k0; k < k1; k++) max = Math.max(max, pattern[rowStart + k]);
                    }
                    out[offset + (h * t + i) * t + j] = (byte) quantize(max, 255);
                }
            }
        }
    }

    /** {@code p} in [0, 1] (clamped) as the nearest of 0..levels. */
    static int quantize(float p, int levels) {
        float clamped = Math.max(0f, Math.min(1f, p));
        return Math.round(clamped * levels);
    }
}
