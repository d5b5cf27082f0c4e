package dev.glassbox.explorer.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Turns stored values into floats, for every {@link DType} that {@link DType#decodable() can be decoded}.
 * Each block function is static and pure, writes its output first, and follows ggml's reference
 * {@code dequantize_row_*} in the order of its float operations, so the results are bit-identical.
 */
public final class Dequantize {
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;

    private Dequantize() {}

    /**
     * Elements {@code [from, from + count)} of {@code data} (stored as {@code type}) -> out[offset, offset + count).
     * A range may start or end inside a block; the block is then decoded whole and the wanted part copied.
     */
    public static void range(float[] out, int offset, DType type, MemorySegment data, long from, int count) {
        if (!type.decodable()) {
            throw new UnsupportedOperationException("decoding " + type + " is not implemented; its raw bytes are in Tensor.data()");
        }
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, from * 4, out, offset, count);
            case F64 -> { for (int i = 0; i < count; i++) out[offset + i] = (float) data.get(F64, (from + i) * 8); }
            case F16 -> { for (int i = 0; i < count; i++) out[offset + i] = Float.float16ToFloat(data.get(I16, (from + i) * 2)); }
            case BF16 -> { for (int i = 0; i < count; i++) out[offset + i] = bf16ToFloat(data.get(I16, (from + i) * 2)); }
            case I64 -> { for (int i = 0; i < count; i++) out[offset + i] = data.get(I64, (from + i) * 8); }
            case I32 -> { for (int i = 0; i < count; i++) out[offset + i] = data.get(I32, (from + i) * 4); }
            case I16 -> { for (int i = 0; i < count; i++) out[offset + i] = data.get(I16, (from + i) * 2); }
            case I8 -> { for (int i = 0; i < count; i++) out[offset + i] = data.get(I8, from + i); }
            case U8, BOOL -> { for (int i = 0; i < count; i++) out[offset + i] = Byte.toUnsignedInt(data.get(I8, from + i)); }
            default -> blockRange(out, offset, type, data, from, count);
        }
    }

    private static void blockRange(float[] out, int offset, DType type, MemorySegment data, long from, int count) {
        int size = type.blockSize();
        long block = from / size;
        int skip = (int) (from % size);
        float[] partial = null;
        int done = 0;
        while (done < count) {
            int whole = skip == 0 ? (count - done) / size : 0;
            if (whole > 0) {
                blocks(out, offset + done, type, data, block * type.blockBytes(), whole);
                done += whole * size;
                block += whole;
            } else {                                    // a block cut by the start or the end of the range
                if (partial == null) partial = new float[size];
                blocks(partial, 0, type, data, block * type.blockBytes(), 1);
                int take = Math.min(size - skip, count - done);
                System.arraycopy(partial, skip, out, offset + done, take);
                done += take;
                block++;
                skip = 0;
            }
        }
    }

    /** {@code count} whole blocks of {@code type} starting at byte {@code at} -> out[offset, offset + count * blockSize). */
    public static void blocks(float[] out, int offset, DType type, MemorySegment data, long at, int count) {
        switch (type) {
            case Q8_0 -> q8_0(out, offset, data, at, count);
            case Q4_0 -> q4_0(out, offset, data, at, count);
            case Q4_K -> q4K(out, offset, data, at, count);
            case Q6_K -> q6K(out, offset, data, at, count);
            default -> throw new IllegalArgumentException(type + " is not a block type Glassbox decodes");
        }
    }

    /** Q8_0: per block of 32, {@code f16 d; int8 qs[32]}; x[j] = d * qs[j]. */
    public static void q8_0(float[] out, int offset, MemorySegment data, long at, int count) {
        for (int b = 0; b < count; b++, at += 34, offset += 32) {
            float d = Float.float16ToFloat(data.get(I16, at));
            for (int j = 0; j < 32; j++) out[offset + j] = d * data.get(I8, at + 2 + j);
        }
    }

    /** Q4_0: per block of 32, {@code f16 d; uint8 qs[16]}; x[j] = d * ((qs[j] & 15) - 8), x[j + 16] = d * ((qs[j] >> 4) - 8). */
    public static void q4_0(float[] out, int offset, MemorySegment data, long at, int count) {
        for (int b = 0; b < count; b++, at += 18, offset += 32) {
            float d = Float.float16ToFloat(data.get(I16, at));
            for (int j = 0; j < 16; j++) {
                int q = Byte.toUnsignedInt(data.get(I8, at + 2 + j));
                out[offset + j] = ((q & 0x0F) - 8) * d;
                out[offset + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /**
     * Q4_K: per super-block of 256, {@code f16 d; f16 dmin; uint8 scales[12]; uint8 qs[128]}.
     * Sub-block s (32 values) has a 6-bit scale sc and min m packed in scales (see {@link #scaleMinK4});
     * x = (d * sc) * q - (dmin * m), q the low nibbles of qs[32j..] for s = 2j and the high nibbles for s = 2j + 1.
     */
    public static void q4K(float[] out, int offset, MemorySegment data, long at, int count) {
        for (int b = 0; b < count; b++, at += 144) {
            float d = Float.float16ToFloat(data.get(I16, at));
            float min = Float.float16ToFloat(data.get(I16, at + 2));
            long scales = at + 4;
            long qs = at + 16;
            for (int j = 0; j < 4; j++) {                   // 64 values per step: two sub-blocks sharing 32 bytes
                int packed0 = scaleMinK4(2 * j, data, scales);
                int packed1 = scaleMinK4(2 * j + 1, data, scales);
                float d1 = d * (packed0 & 0xFF), m1 = min * (packed0 >>> 8);
                float d2 = d * (packed1 & 0xFF), m2 = min * (packed1 >>> 8);
                for (int l = 0; l < 32; l++) {
                    int q = Byte.toUnsignedInt(data.get(I8, qs + 32L * j + l));
                    out[offset + 64 * j + l] = d1 * (q & 0x0F) - m1;
                    out[offset + 64 * j + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
            offset += 256;
        }
    }

    /**
     * The 6-bit scale and min of Q4_K/Q5_K sub-block {@code j} (0..7) from the 12 packed bytes q:
     * j < 4: sc = q[j] & 63, m = q[j + 4] & 63; otherwise the low 4 bits come from q[j + 4] and the
     * top 2 bits from the spare top bits of q[j - 4] (scale) and q[j] (min). Returns {@code sc | m << 8}.
     */
    static int scaleMinK4(int j, MemorySegment data, long q) {
        int sc, m;
        if (j < 4) {
            sc = u8(data, q + j) & 63;
            m = u8(data, q + j + 4) & 63;
        } else {
            sc = (u8(data, q + j + 4) & 0x0F) | ((u8(data, q + j - 4) >>> 6) << 4);
            m = (u8(data, q + j + 4) >>> 4) | ((u8(data, q + j) >>> 6) << 4);
        }
        return sc | m << 8;
    }

    /**
     * Q6_K: per super-block of 256, {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; f16 d}.
     * Value e has q = (4 low bits from ql | 2 high bits from qh) - 32 and x = d * scales[e / 16] * q;
     * each half of 128 values reads ql[64 half..], qh[32 half..] as ggml's loop does.
     */
    public static void q6K(float[] out, int offset, MemorySegment data, long at, int count) {
        for (int b = 0; b < count; b++, at += 210) {
            float d = Float.float16ToFloat(data.get(I16, at + 208));
            for (int half = 0; half < 2; half++) {
                long ql = at + 64L * half;
                long qh = at + 128 + 32L * half;
                long sc = at + 192 + 8L * half;
                int y = offset + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = u8(data, qh + l);
                    int q1 = ((u8(data, ql + l) & 0x0F) | ((h & 3) << 4)) - 32;
                    int q2 = ((u8(data, ql + l + 32) & 0x0F) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((u8(data, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((u8(data, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    out[y + l] = d * data.get(I8, sc + is) * q1;
                    out[y + l + 32] = d * data.get(I8, sc + is + 2) * q2;
                    out[y + l + 64] = d * data.get(I8, sc + is + 4) * q3;
                    out[y + l + 96] = d * data.get(I8, sc + is + 6) * q4;
                }
            }
            offset += 256;
        }
    }

    /** bfloat16 is the top half of a float32: sign, 8 exponent bits, 7 mantissa bits. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    private static int u8(MemorySegment data, long at) {
        return Byte.toUnsignedInt(data.get(I8, at));
    }
}
