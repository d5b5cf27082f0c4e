package dev.glassbox.explorer.tensor;

import java.lang.foreign.MemorySegment;

import static dev.glassbox.explorer.tensor.Dequantize.F32;
import static dev.glassbox.explorer.tensor.Dequantize.F64;
import static dev.glassbox.explorer.tensor.Dequantize.I16;
import static dev.glassbox.explorer.tensor.Dequantize.I8;

/**
 * Turns floats into stored values: the plain float types, and the two GGUF block types Glassbox writes
 * itself (Q8_0, Q4_0), following ggml's reference {@code quantize_row_*_ref} so that files it writes
 * decode the same in llama.cpp. The k-quants (Q4_K, Q6_K) need ggml's search for the best scales and
 * are only read, not written.
 */
public final class Quantize {
    private Quantize() {}

    /** x (n,) -> a new little-endian byte segment holding x as {@code type}; n must fill whole blocks. */
    public static MemorySegment encode(DType type, float[] x) {
        long bytes = type.byteSize(x.length);
        if (bytes < 0) throw new IllegalArgumentException(x.length + " values do not fill whole " + type + " blocks of " + type.blockSize());
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(bytes)]);
        switch (type) {
            case F32 -> MemorySegment.copy(x, 0, out, F32, 0, x.length);
            case F64 -> { for (int i = 0; i < x.length; i++) out.set(F64, 8L * i, x[i]); }
            case F16 -> { for (int i = 0; i < x.length; i++) out.set(I16, 2L * i, Float.floatToFloat16(x[i])); }
            case BF16 -> { for (int i = 0; i < x.length; i++) out.set(I16, 2L * i, floatToBf16(x[i])); }
            case Q8_0 -> q8_0(out, 0, x, 0, x.length / 32);
            case Q4_0 -> q4_0(out, 0, x, 0, x.length / 32);
            default -> throw new IllegalArgumentException("encoding floats as " + type + " is not supported");
        }
        return out;
    }

    /**
     * x (32 blocks,) -> Q8_0 blocks at byte {@code at}: d = max|x| / 127, q = round(x / d),
     * rounding half away from zero like C's roundf.
     */
    public static void q8_0(MemorySegment out, long at, float[] x, int offset, int blocks) {
        for (int b = 0; b < blocks; b++, at += 34, offset += 32) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[offset + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            out.set(I16, at, Float.floatToFloat16(d));
            for (int j = 0; j < 32; j++) {
                float scaled = x[offset + j] * id;
                out.set(I8, at + 2 + j, (byte) (Math.signum(scaled) * Math.round(Math.abs(scaled))));
            }
        }
    }

    /**
     * x (32 blocks,) -> Q4_0 blocks at byte {@code at}: d = m / -8 where m is the value of largest
     * magnitude (with its sign), q = min(15, trunc(x / d + 8.5)), two 4-bit q per byte
     * (value j in the low nibble of byte j, value j + 16 in its high nibble).
     */
    public static void q4_0(MemorySegment out, long at, float[] x, int offset, int blocks) {
        for (int b = 0; b < blocks; b++, at += 18, offset += 32) {
            float amax = 0, max = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[offset + j];
                if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            out.set(I16, at, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (int) (x[offset + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (x[offset + j + 16] * id + 8.5f));
                out.set(I8, at + 2 + j, (byte) (q0 | q1 << 4));
            }
        }
    }

    /** float32 -> bfloat16, rounding to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x0040);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }
}
