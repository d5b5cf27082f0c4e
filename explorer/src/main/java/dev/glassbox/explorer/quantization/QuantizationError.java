package dev.glassbox.explorer.quantization;

import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Dequantize;
import dev.glassbox.explorer.tensor.Histogram;
import dev.glassbox.explorer.tensor.Quantize;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Set;

/**
 * What storing one tensor as a block type does to it: the error {@code e = dequantize(quantize(w)) - w} of every
 * value, summarised, and the bytes before and after. Blocks run along each stored row (the last dimension), the
 * way GGUF stores a matrix; for a (out, in) weight that is 32 inputs of one output sharing a scale.
 *
 * @param bytesBefore the tensor's bytes as stored now
 * @param bytesAfter  its bytes as {@code type}
 * @param maxAbs      the largest |e|
 * @param meanAbs     the mean |e|
 * @param rms         sqrt(mean e^2)
 * @param weightRms   sqrt(mean w^2), to read the errors against
 * @param errors      the signed errors in equal bins over [-maxAbs, maxAbs]
 */
public record QuantizationError(String name, DType type, Shape shape, long bytesBefore, long bytesAfter,
                                float maxAbs, double meanAbs, double rms, double weightRms, Histogram errors) {
    /** The stored types a tensor may be quantized from. */
    private static final Set<DType> FLOATS = Set.of(DType.F32, DType.F16, DType.BF16, DType.F64);
    /** The block types the lab writes: those {@link Quantize} encodes. */
    public static final Set<DType> TYPES = Set.of(DType.Q8_0, DType.Q4_0);

    /**
     * Whether the lab stores {@code t} as {@code type}: a 2-D floating tensor whose rows are whole blocks.
     * Norm weights and biases (1-D) stay as they are, as llama.cpp keeps them.
     */
    public static boolean quantizable(Tensor t, DType type) {
        return t.shape().rank() == 2 && FLOATS.contains(t.dtype()) && t.rowLength() % type.blockSize() == 0;
    }

    /** The error of storing {@code t} as {@code type}, its histogram in {@code bins} bins. */
    public static QuantizationError measure(Tensor t, DType type, int bins) {
        if (!TYPES.contains(type)) throw new IllegalArgumentException("a block type in " + TYPES + " expected, found " + type);
        if (!quantizable(t, type)) {
            throw new IllegalArgumentException(t.name() + ": a 2-D floating tensor with rows of whole " + type + " blocks expected, found "
                    + t.dtype() + " " + t.shape());
        }
        if (bins < 1) throw new IllegalArgumentException("at least 1 bin expected, found " + bins);
        float[] w = t.toFloatArray();                                              // (rows * cols,)
        float[] back = roundTrip(type, w);
        float max = 0;
        double sumAbs = 0, sumSquares = 0, weightSquares = 0;
        for (int i = 0; i < w.length; i++) {
            float e = back[i] - w[i];
            max = Math.max(max, Math.abs(e));
            sumAbs += Math.abs(e);
            sumSquares += (double) e * e;
            weightSquares += (double) w[i] * w[i];
        }
        long[] counts = new long[bins];
        for (int i = 0; i < w.length; i++) {
            float e = back[i] - w[i];
            int bin = max == 0 ? bins / 2 : (int) ((e + max) / (2 * max) * bins);
            counts[Math.min(bins - 1, Math.max(0, bin))]++;
        }
        int n = Math.max(1, w.length);
        return new QuantizationError(t.name(), type, t.shape(), t.byteSize(), type.byteSize(w.length), max, sumAbs / n,
                Math.sqrt(sumSquares / n), Math.sqrt(weightSquares / n), new Histogram(-max, max, counts));
    }

    /** x (n,) stored as {@code type} and read back: what a model using the quantized weights computes with. */
    public static float[] roundTrip(DType type, float[] x) {
        MemorySegment stored = Quantize.encode(type, x);
        float[] back = new float[x.length];
        Dequantize.range(back, 0, type, stored, 0, x.length);
        return back;
    }

    /** The mean error relative to the weights' size: meanAbs / mean |w| is hard to read near zero, so rms / weightRms. */
    public double relativeRms() {
        return weightRms == 0 ? 0 : rms / weightRms;
    }
}
