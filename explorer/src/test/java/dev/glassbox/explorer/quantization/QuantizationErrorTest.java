package dev.glassbox.explorer.quantization;

import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizationErrorTest {
    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian() * 0.05f;
        return x;
    }

    @Test
    void q8ErrorStaysWithinHalfAStepOfEachBlock() {
        int rows = 5, cols = 96;
        float[] w = gaussian(rows * cols, 1);
        QuantizationError e = QuantizationError.measure(Tensor.of("w", DType.F32, Shape.of(rows, cols), w), DType.Q8_0, 21);
        float bound = 0;
        for (int b = 0; b < w.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(w[32 * b + j]));
            bound = Math.max(bound, amax / 127 / 2 * 1.01f);                           // half a step, and the F16 scale's rounding
        }
        assertTrue(e.maxAbs() > 0 && e.maxAbs() <= bound, e.maxAbs() + " <= " + bound);
        assertTrue(e.meanAbs() <= e.rms() && e.rms() <= e.maxAbs());
        assertEquals(4L * rows * cols, e.bytesBefore());
        assertEquals(34L * rows * cols / 32, e.bytesAfter());
        assertEquals(rows * cols, Arrays.stream(e.errors().counts()).sum());
        assertEquals(-e.maxAbs(), e.errors().min());
        QuantizationError q4 = QuantizationError.measure(Tensor.of("w", DType.F32, Shape.of(rows, cols), w), DType.Q4_0, 21);
        assertTrue(q4.rms() > 8 * e.rms(), "4 bits leave about 16 times the step of 8 bits: " + q4.rms() + " vs " + e.rms());
        assertEquals(18L * rows * cols / 32, q4.bytesAfter());
    }

    @Test
    void onlyMatricesOfWholeBlocksAreQuantized() {
        assertFalse(QuantizationError.quantizable(Tensor.of("norm", DType.F32, Shape.of(64), new float[64]), DType.Q8_0));
        assertFalse(QuantizationError.quantizable(Tensor.of("odd", DType.F32, Shape.of(2, 48), new float[96]), DType.Q8_0));
        assertTrue(QuantizationError.quantizable(Tensor.of("w", DType.F16, Shape.of(2, 64), new float[128]), DType.Q4_0));
        assertThrows(IllegalArgumentException.class, () -> QuantizationError.measure(Tensor.of("odd", DType.F32, Shape.of(2, 48), new float[96]), DType.Q8_0, 10));
        assertThrows(IllegalArgumentException.class, () -> QuantizationError.measure(Tensor.of("w", DType.F32, Shape.of(2, 64), new float[128]), DType.Q4_K, 10));
    }

    @Test
    void quantizedWeightsChangeTheMatricesOnlyAndOutliveTheirSource() {
        float[] w = gaussian(4 * 64, 2), norm = gaussian(64, 3);
        ModelFile source = new ModelFile(Format.SAFETENSORS, Path.of("model.safetensors"), Map.of(),
                List.of(Tensor.of("w", DType.F32, Shape.of(4, 64), w), Tensor.of("norm", DType.F32, Shape.of(64), norm)), null, Arena.ofShared());
        ModelFile q = QuantizedWeights.of(source, DType.Q4_0);
        source.close();
        assertEquals(DType.Q4_0, q.tensor("w").dtype());
        assertArrayEquals(QuantizationError.roundTrip(DType.Q4_0, w), q.tensor("w").toFloatArray());
        assertEquals(DType.F32, q.tensor("norm").dtype());
        assertArrayEquals(norm, q.tensor("norm").toFloatArray());
        assertEquals(18L * 4 * 64 / 32 + 4 * 64, QuantizedWeights.weightBytes(q));
        q.close();
    }
}
