package dev.glassbox.explorer.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorTest {

    private static Tensor matrix(int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = i;          // value = row * cols + col
        return Tensor.of("m", DType.F32, Shape.of(rows, cols), values);
    }

    @Test
    void rowsSlicesAndSingleValuesAreRowMajor() {
        Tensor m = matrix(4, 5);
        assertEquals(4, m.rowCount());
        assertEquals(5, m.rowLength());
        assertArrayEquals(new float[] {5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, m.readRows(1, 3));
        assertArrayEquals(new float[] {6, 7, 11, 12, 16, 17}, m.readSlice(1, 4, 1, 3));
        assertEquals(13f, m.get(2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.readRows(3, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(4, 0));
    }

    @Test
    void higherRanksFlattenLeadingDimensionsIntoRows() {
        Tensor t = Tensor.of("t", DType.F32, Shape.of(2, 3, 4), new float[24]);
        assertEquals(6, t.rowCount());
        assertEquals(4, t.rowLength());
        Tensor scalar = Tensor.of("s", DType.F32, Shape.of(), new float[] {7});
        assertEquals(1, scalar.elementCount());
        assertEquals(7f, scalar.get());
    }

    @Test
    void dataMustMatchTypeAndShape() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor("w", DType.F32, Shape.of(3, 4), MemorySegment.ofArray(new byte[47])));
        assertTrue(e.getMessage().contains("needs 48 bytes, data has 47"), e.getMessage());
        var blocks = assertThrows(IllegalArgumentException.class,
                () -> new Tensor("q", DType.Q8_0, Shape.of(2, 16), MemorySegment.ofArray(new byte[34])));
        assertTrue(blocks.getMessage().contains("whole blocks of 32"), blocks.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(1L << 40, 1L << 40));
    }

    /** Found by ReaderCoverageFuzzTest: a GGUF tensor of dimensions (innermost first) 5767168, 0, 2^40 + 582, 3 x 2^40
     *  passed the reader's check (0 elements, the zero came first) and then failed the Shape built outermost first
     *  with an IllegalArgumentException. Now both refuse it in either order, as the reader's ModelFormatException. */
    @Test
    void anOverflowIsAnOverflowInAnyOrderOfTheDimensions() {
        long[] innermostFirst = {5_767_168, 0, 1_099_511_628_358L, 3_298_534_883_328L};
        long[] outermostFirst = {3_298_534_883_328L, 1_099_511_628_358L, 0, 5_767_168};
        assertEquals(-1, Shape.checkedElementCount(innermostFirst));
        assertEquals(-1, Shape.checkedElementCount(outermostFirst));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(outermostFirst));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(0, 1L << 40, 1L << 40));
        assertEquals(0, Shape.checkedElementCount(new long[] {0, 1L << 40, 1L << 20}));
        assertEquals(0, Shape.of(1L << 40, 1L << 20, 0).elementCount());
        assertEquals(1L << 60, Shape.of(1L << 40, 1L << 20, 0).rowCount());
        assertEquals(0, Shape.of(3, 0, 5).rowCount());
        assertEquals(-1, Shape.checkedElementCount(new long[] {3, -1, 0}));
    }

    @Test
    void statsOfKnownValues() {
        // 0, 0, 1, 2, 3, 4, 5, 6, 7, NaN: 9 finite values with mean 28 / 9, two zeros out of 10
        float[] x = {0, 0, 1, 2, 3, 4, 5, 6, 7, Float.NaN};
        TensorStats s = Tensor.of("x", DType.F32, Shape.of(10), x).stats(7);
        assertEquals(10, s.count());
        assertEquals(1, s.nonFinite());
        assertEquals(0f, s.min());
        assertEquals(7f, s.max());
        assertEquals(28.0 / 9, s.mean(), 1e-6);
        double variance = 0;
        for (int i = 0; i < 9; i++) variance += (x[i] - 28.0 / 9) * (x[i] - 28.0 / 9);
        assertEquals(Math.sqrt(variance / 9), s.std(), 1e-6);
        assertEquals(0.2, s.sparsity(), 1e-12);
        // 7 bins of width 1 over [0, 7]: 7 falls in the last bin with 6
        assertArrayEquals(new long[] {2, 1, 1, 1, 1, 1, 2}, s.histogram().counts());
    }

    @Test
    void vectorAndScalarStatsAgreeOnQuantizedData() {
        Random random = new Random(3);
        float[] values = new float[1000 * 64];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian() * (i % 7 == 0 ? 0 : 1);
        Tensor t = Tensor.of("w", DType.Q8_0, Shape.of(1000, 64), values);
        TensorStats vector = TensorStats.of(t, 50), scalar = TensorStats.scalar(t, 50);
        assertEquals(scalar.min(), vector.min());
        assertEquals(scalar.max(), vector.max());
        assertEquals(scalar.mean(), vector.mean(), 1e-5);
        assertEquals(scalar.std(), vector.std(), 1e-5);
        assertEquals(scalar.sparsity(), vector.sparsity());
        assertArrayEquals(scalar.histogram().counts(), vector.histogram().counts());
        assertTrue(vector.sparsity() > 1.0 / 7, "every 7th value is zero, and Q8_0 rounds small values to zero too");
    }
}
