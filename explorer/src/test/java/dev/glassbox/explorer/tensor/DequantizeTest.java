package dev.glassbox.explorer.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dequantization against values worked out by hand from the ggml block formulas. */
class DequantizeTest {

    private static ByteBuffer block(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] decode(DType type, ByteBuffer blocks) {
        MemorySegment data = MemorySegment.ofArray(blocks.array());
        float[] out = new float[(int) (data.byteSize() / type.blockBytes() * type.blockSize())];
        Dequantize.range(out, 0, type, data, 0, out.length);
        return out;
    }

    @Test
    void q8_0IsScaleTimesInt8() {
        ByteBuffer b = block(2 * 34);
        // block 0: d = f16 0x3800 = 2^-1 = 0.5
        b.putShort(0, (short) 0x3800);
        byte[] q = {0, 1, -1, 2, -128, 127};
        for (int j = 0; j < q.length; j++) b.put(2 + j, q[j]);
        // block 1: d = f16 0x2E66: exponent 0b01011 = 11 -> 2^(11-15) = 1/16, mantissa 1 + 0x266/1024 = 1.599609375,
        // so d = 0.0999755859375 = 1637/16384 (exact in float)
        b.putShort(34, (short) 0x2E66);
        b.put(34 + 2, (byte) 3);
        b.put(34 + 2 + 31, (byte) -10);
        float[] x = decode(DType.Q8_0, b);
        // x = d * q
        assertEquals(0.0f, x[0]);            // 0.5 * 0
        assertEquals(0.5f, x[1]);            // 0.5 * 1
        assertEquals(-0.5f, x[2]);           // 0.5 * -1
        assertEquals(1.0f, x[3]);            // 0.5 * 2
        assertEquals(-64.0f, x[4]);          // 0.5 * -128
        assertEquals(63.5f, x[5]);           // 0.5 * 127
        assertEquals(0.0f, x[6]);            // untouched bytes are q = 0
        assertEquals(0.2999267578125f, x[32]);       // 1637/16384 * 3 = 4911/16384
        assertEquals(-0.999755859375f, x[63]);       // 1637/16384 * -10 = -16370/16384
    }

    @Test
    void q4_0IsScaleTimesNibbleMinusEight() {
        ByteBuffer b = block(18);
        b.putShort(0, (short) 0x4000);      // d = f16 0x4000 = 2.0
        for (int j = 0; j < 16; j++) b.put(2 + j, (byte) 0x88);   // both nibbles 8: (8 - 8) * 2 = 0
        b.put(2, (byte) 0x1F);              // byte 0: low nibble 15 -> x[0], high nibble 1 -> x[16]
        b.put(3, (byte) 0x80);              // byte 1: low nibble 0 -> x[1], high nibble 8 -> x[17]
        b.put(17, (byte) 0xF0);             // byte 15: low nibble 0 -> x[15], high nibble 15 -> x[31]
        float[] x = decode(DType.Q4_0, b);
        // x[j] = d * ((qs[j] & 15) - 8), x[j + 16] = d * ((qs[j] >> 4) - 8)
        assertEquals(14.0f, x[0]);           // 2 * (15 - 8)
        assertEquals(-14.0f, x[16]);         // 2 * (1 - 8)
        assertEquals(-16.0f, x[1]);          // 2 * (0 - 8)
        assertEquals(0.0f, x[17]);           // 2 * (8 - 8)
        assertEquals(-16.0f, x[15]);         // 2 * (0 - 8)
        assertEquals(14.0f, x[31]);          // 2 * (15 - 8)
        assertEquals(0.0f, x[5]);
    }

    @Test
    void q4KUsesSixBitScalesAndMins() {
        ByteBuffer b = block(144);
        b.putShort(0, (short) 0x3C00);      // d = 1.0
        b.putShort(2, (short) 0x3800);      // dmin = 0.5
        int scales = 4, qs = 16;
        b.put(scales, (byte) 2);            // sc0 = scales[0] & 63 = 2
        b.put(scales + 4, (byte) 3);        // m0 = scales[4] & 63 = 3
        b.put(scales + 1, (byte) 0x45);     // sc1 = 0x45 & 63 = 5; top bits 01 become bit 4 of sc5
        b.put(scales + 5, (byte) 0xC1);     // m1 = 0xC1 & 63 = 1; top bits 11 become bits 4-5 of m5
        b.put(scales + 8, (byte) 0x21);     // sc4 = (0x21 & 15) | (scales[0] >> 6) << 4 = 1; m4 = (0x21 >> 4) | (scales[4] >> 6) << 4 = 2
        // scales[9] = 0: sc5 = 0 | (0x45 >> 6) << 4 = 16; m5 = 0 | (0xC1 >> 6) << 4 = 48
        b.put(qs, (byte) 0x73);             // qs[0]: low nibble 3 -> x[0] (sub-block 0), high nibble 7 -> x[32] (sub-block 1)
        b.put(qs + 64, (byte) 0x0F);        // qs[64]: low nibble 15 -> x[128] (sub-block 4), high 0 -> x[160] (sub-block 5)
        float[] x = decode(DType.Q4_K, b);
        // x = d * sc * q - dmin * m
        assertEquals(4.5f, x[0]);            // 1 * 2 * 3 - 0.5 * 3
        assertEquals(-1.5f, x[1]);           // 1 * 2 * 0 - 0.5 * 3
        assertEquals(34.5f, x[32]);          // 1 * 5 * 7 - 0.5 * 1
        assertEquals(14.0f, x[128]);         // 1 * 1 * 15 - 0.5 * 2
        assertEquals(-24.0f, x[160]);        // 1 * 16 * 0 - 0.5 * 48
        assertEquals(0.0f, x[255]);          // sub-block 7: sc = m = 0
    }

    @Test
    void q6KCombinesFourLowAndTwoHighBits() {
        ByteBuffer b = block(210);
        b.putShort(208, (short) 0x3400);    // d = 0.25
        int ql = 0, qh = 128, sc = 192;
        b.put(sc, (byte) 2);                // scales[0] = 2 (elements 0..15)
        b.put(sc + 2, (byte) -1);           // scales[2] = -1 (elements 32..47)
        b.put(sc + 4, (byte) 3);            // scales[4] = 3 (elements 64..79)
        b.put(sc + 6, (byte) 1);            // scales[6] = 1 (elements 96..111)
        b.put(sc + 8, (byte) 4);            // scales[8] = 4 (elements 128..143)
        b.put(ql, (byte) 0x21);             // ql[0]: low 1 -> element 0, high 2 -> element 64
        b.put(qh, (byte) 0xE4);             // qh[0] = 11 10 01 00: element 0 gets 0, 32 gets 1, 64 gets 2, 96 gets 3
        b.put(ql + 64, (byte) 0x05);        // ql[64]: low 5 -> element 128
        b.put(qh + 32, (byte) 0x03);        // qh[32] bits 0-1 = 3 -> element 128
        float[] x = decode(DType.Q6_K, b);
        // x = d * scales[e / 16] * q, q = (low | high << 4) - 32
        assertEquals(-15.5f, x[0]);          // 0.25 * 2 * ((1 | 0 << 4) - 32 = -31)
        assertEquals(4.0f, x[32]);           // 0.25 * -1 * ((0 | 1 << 4) - 32 = -16)
        assertEquals(1.5f, x[64]);           // 0.25 * 3 * ((2 | 2 << 4) - 32 = 2)
        assertEquals(4.0f, x[96]);           // 0.25 * 1 * ((0 | 3 << 4) - 32 = 16)
        assertEquals(21.0f, x[128]);         // 0.25 * 4 * ((5 | 3 << 4) - 32 = 21)
        assertEquals(-16.0f, x[1]);          // 0.25 * 2 * (0 - 32)
    }

    @Test
    void unpackedBlocksGiveTheDecodedValues() {
        Random random = new Random(42);
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K}) {
            byte[] bytes = new byte[3 * type.blockBytes()];
            random.nextBytes(bytes);
            for (int b = 0; b < 3; b++) {                           // scales in a sane range, not NaN
                int d = type == DType.Q6_K ? b * type.blockBytes() + 208 : b * type.blockBytes();
                bytes[d] = (byte) random.nextInt(256);
                bytes[d + 1] = (byte) (0x30 + random.nextInt(12));
                if (type == DType.Q4_K) { bytes[d + 2] = (byte) random.nextInt(256); bytes[d + 3] = (byte) 0x30; }
            }
            Tensor t = new Tensor("t", type, Shape.of(3, type.blockSize()), MemorySegment.ofArray(bytes));
            float[] all = t.toFloatArray();
            var blocks = t.blocks(0, 3);
            for (int b = 0; b < 3; b++) {
                assertEquals(b, blocks.get(b).index());
                for (int i = 0; i < type.blockSize(); i++) {
                    assertEquals(all[b * type.blockSize() + i], blocks.get(b).value(i), type + " block " + b + " value " + i);
                }
            }
        }
    }

    @Test
    void rangesMayStartAndEndInsideBlocks() {
        Random random = new Random(7);
        float[] values = new float[5 * 32];
        for (int i = 0; i < values.length; i++) values[i] = random.nextFloat() * 2 - 1;
        Tensor t = Tensor.of("w", DType.Q8_0, Shape.of(5, 32), values);
        float[] whole = t.toFloatArray();
        for (int from : new int[] {0, 1, 31, 32, 33, 70}) {
            for (int count : new int[] {0, 1, 5, 31, 32, 33, 64, 90}) {
                if (from + count > whole.length) continue;
                float[] part = new float[count + 2];
                t.readFloats(from, part, 1, count);
                for (int i = 0; i < count; i++) assertEquals(whole[from + i], part[1 + i], "from " + from + " count " + count);
            }
        }
    }

    @Test
    void q8_0QuantizationFollowsTheReference() {
        float[] x = new float[32];
        x[0] = 127f;            // amax = 127 -> d = 1, q = round(x)
        x[1] = 2.5f;            // roundf rounds half away from zero: 3
        x[2] = -2.5f;           // -3 (Math.round would give -2)
        x[3] = 0.49999997f;     // 0
        float[] back = Tensor.of("q", DType.Q8_0, Shape.of(32), x).toFloatArray();
        assertEquals(127f, back[0]);
        assertEquals(3f, back[1]);
        assertEquals(-3f, back[2]);
        assertEquals(0f, back[3]);
    }

    @Test
    void q4_0QuantizationUsesTheSignedMaximum() {
        float[] x = new float[32];
        x[0] = -8f;             // the value of largest magnitude: d = -8 / -8 = 1, so q = trunc(x / 1 + 8.5)
        x[1] = 7f;              // q = 15 -> (15 - 8) * 1 = 7
        x[2] = 3.4f;            // q = trunc(11.9) = 11 -> 3
        x[3] = -0.6f;           // q = trunc(7.9) = 7 -> -1
        float[] back = Tensor.of("q", DType.Q4_0, Shape.of(32), x).toFloatArray();
        assertArrayEquals(new float[] {-8f, 7f, 3f, -1f}, java.util.Arrays.copyOf(back, 4));
    }

    @Test
    void halfAndBrainFloatConversions() {
        float[] x = {1f, -2.5f, 65504f, 1e-8f, Float.POSITIVE_INFINITY, 3.1415927f};
        float[] f16 = Tensor.of("h", DType.F16, Shape.of(6), x).toFloatArray();
        assertEquals(1f, f16[0]);
        assertEquals(-2.5f, f16[1]);
        assertEquals(65504f, f16[2]);                       // the largest half
        assertEquals(0f, f16[3]);                           // below the smallest subnormal half
        assertEquals(Float.POSITIVE_INFINITY, f16[4]);
        assertEquals(3.140625f, f16[5]);                    // pi to 10 mantissa bits
        float[] bf16 = Tensor.of("b", DType.BF16, Shape.of(6), x).toFloatArray();
        assertEquals(1f, bf16[0]);
        assertEquals(3.140625f, bf16[5]);                   // pi to 7 mantissa bits: 0x4049 -> 3.140625
        assertEquals(Float.POSITIVE_INFINITY, bf16[4]);
        assertTrue(Float.isNaN(Dequantize.bf16ToFloat(Quantize.floatToBf16(Float.NaN))));
    }

    @Test
    void typesGlassboxCannotDecodeSaySo() {
        Tensor t = new Tensor("q5", DType.Q5_K, Shape.of(256), MemorySegment.ofArray(new byte[176]));
        var e = assertThrows(UnsupportedOperationException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("Q5_K"), e.getMessage());
    }
}
