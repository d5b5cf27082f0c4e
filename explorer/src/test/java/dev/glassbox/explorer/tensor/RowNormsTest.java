package dev.glassbox.explorer.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RowNormsTest {

    @Test
    void eachRowsNormIsTheSquareRootOfItsSumOfSquaresInDouble() {
        Random random = new Random(13);
        // lengths that are not multiples of any vector width; 70_001 rows of 1 span two read chunks
        for (int[] size : new int[][] {{1, 1}, {3, 7}, {5, 33}, {9, 100}, {2, 4099}, {70_001, 1}, {40, 1700}}) {
            int rows = size[0], length = size[1];
            float[] values = new float[rows * length];
            for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
            Tensor t = Tensor.of("t", DType.F32, Shape.of(rows, length), values);
            float[] vector = RowNorms.of(t), scalar = RowNorms.scalar(t);
            assertEquals(rows, vector.length);
            for (int r = 0; r < rows; r++) {
                double squares = 0;
                for (int c = 0; c < length; c++) squares += (double) values[r * length + c] * values[r * length + c];
                double expected = Math.sqrt(squares);
                assertEquals(expected, vector[r], 1e-5 * Math.max(1, expected), "row " + r + " of " + rows + " x " + length);
                assertEquals(expected, scalar[r], 1e-5 * Math.max(1, expected), "scalar, row " + r + " of " + rows + " x " + length);
            }
        }
    }

    @Test
    void largestAreInDescendingOrderWithTiesInRowOrderAndNaNLast() {
        float[] norms = {1, 5, Float.NaN, 5, 0, 9};
        assertArrayEquals(new int[] {5, 1, 3}, TopK.indices(norms, 3));
        assertArrayEquals(new int[] {5, 1, 3, 0, 4, 2}, TopK.indices(norms, 10));
        assertArrayEquals(new int[] {}, TopK.indices(norms, 0));
    }
}
