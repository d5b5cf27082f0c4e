package dev.glassbox.explorer.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.glassbox.explorer.tensor.Dequantize.I16;
import static dev.glassbox.explorer.tensor.Dequantize.I8;

/**
 * One stored block of a quantized tensor, unpacked but not multiplied out: the scales and the small
 * integers the format keeps, so a learner can see how 32 or 256 weights share one scale.
 *
 * <pre>
 * type  d          dmin       scales (per sub-block)  mins          quants          value i
 * Q8_0  block      0          -                       -             int8            d * q[i]
 * Q4_0  block      0          -                       -             nibble - 8      d * q[i]
 * Q4_K  super      super-min  8 x 6-bit (32 each)     8 x 6-bit     nibble 0..15    d*sc[i/32]*q[i] - dmin*m[i/32]
 * Q6_K  super      0          16 x int8 (16 each)     -             6-bit - 32      d*sc[i/16]*q[i]
 * </pre>
 *
 * @param index the block's position in the tensor (block i holds elements [i * blockSize, (i + 1) * blockSize))
 */
public record QuantBlock(DType type, long index, float d, float dmin, int[] scales, int[] mins, int[] quants) {

    /** Unpacks block {@code index} of {@code data}, which holds {@code type} blocks back to back. */
    public static QuantBlock read(DType type, MemorySegment data, long index) {
        long at = index * type.blockBytes();
        return switch (type) {
            case Q8_0 -> {
                int[] q = new int[32];
                for (int j = 0; j < 32; j++) q[j] = data.get(I8, at + 2 + j);
                yield new QuantBlock(type, index, half(data, at), 0, new int[0], new int[0], q);
            }
            case Q4_0 -> {
                int[] q = new int[32];
                for (int j = 0; j < 16; j++) {
                    int packed = u8(data, at + 2 + j);
                    q[j] = (packed & 0x0F) - 8;
                    q[j + 16] = (packed >>> 4) - 8;
                }
                yield new QuantBlock(type, index, half(data, at), 0, new int[0], new int[0], q);
            }
            case Q4_K -> {
                int[] scales = new int[8], mins = new int[8], q = new int[256];
                for (int s = 0; s < 8; s++) {
                    int packed = Dequantize.scaleMinK4(s, data, at + 4);
                    scales[s] = packed & 0xFF;
                    mins[s] = packed >>> 8;
                }
                for (int j = 0; j < 4; j++) {
                    for (int l = 0; l < 32; l++) {
                        int packed = u8(data, at + 16 + 32L * j + l);
                        q[64 * j + l] = packed & 0x0F;
                        q[64 * j + 32 + l] = packed >>> 4;
                    }
                }
                yield new QuantBlock(type, index, half(data, at), half(data, at + 2), scales, mins, q);
            }
            case Q6_K -> {
                int[] scales = new int[16], q = new int[256];
                for (int s = 0; s < 16; s++) scales[s] = data.get(I8, at + 192 + s);
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 32; l++) {
                        int low0 = u8(data, at + 64L * half + l), low1 = u8(data, at + 64L * half + l + 32);
                        int high = u8(data, at + 128 + 32L * half + l);
                        int e = 128 * half + l;
                        q[e] = ((low0 & 0x0F) | ((high & 3) << 4)) - 32;
                        q[e + 32] = ((low1 & 0x0F) | (((high >>> 2) & 3) << 4)) - 32;
                        q[e + 64] = ((low0 >>> 4) | (((high >>> 4) & 3) << 4)) - 32;
                        q[e + 96] = ((low1 >>> 4) | (((high >>> 6) & 3) << 4)) - 32;
                    }
                }
                yield new QuantBlock(type, index, half(data, at + 208), 0, scales, new int[0], q);
            }
            default -> throw new UnsupportedOperationException("unpacking " + type + " blocks is not implemented; its raw bytes are in Tensor.data()");
        };
    }

    /** Value i of the block, from the formula in the table above (the same float operations as decoding). */
    public float value(int i) {
        return switch (type) {
            case Q8_0, Q4_0 -> d * quants[i];
            case Q4_K -> d * scales[i / 32] * quants[i] - dmin * mins[i / 32];
            case Q6_K -> d * scales[i / 16] * quants[i];
            default -> throw new IllegalStateException(type.toString());
        };
    }

    private static float half(MemorySegment data, long at) {
        return Float.float16ToFloat(data.get(I16, at));
    }

    private static int u8(MemorySegment data, long at) {
        return Byte.toUnsignedInt(data.get(I8, at));
    }

    @Override public boolean equals(Object other) {
        return other instanceof QuantBlock b && type == b.type && index == b.index
                && Float.compare(d, b.d) == 0 && Float.compare(dmin, b.dmin) == 0
                && Arrays.equals(scales, b.scales) && Arrays.equals(mins, b.mins) && Arrays.equals(quants, b.quants);
    }

    @Override public int hashCode() {
        return Arrays.hashCode(quants) * 31 + Long.hashCode(index);
    }

    @Override public String toString() {
        return type + " block " + index + ": d=" + d + (type == DType.Q4_K ? " dmin=" + dmin : "")
                + (scales.length > 0 ? " scales=" + Arrays.toString(scales) : "")
                + (mins.length > 0 ? " mins=" + Arrays.toString(mins) : "")
                + " quants=" + Arrays.toString(quants);
    }
}
