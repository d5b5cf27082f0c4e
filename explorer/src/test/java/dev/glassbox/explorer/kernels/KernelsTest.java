package dev.glassbox.explorer.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelsTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void dotMatchesItsScalarTwin(int n) {
        Random random = new Random(n);
        float[] a = new float[n + 3];
        float[] b = new float[n + 3];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() * 2 - 1;
            b[i] = random.nextFloat() * 2 - 1;
        }
        float expected = ScalarKernels.dot(a, b, n);
        // the vector kernel adds in a different order, so allow float rounding proportional to n
        assertEquals(expected, Kernels.dot(a, b, n), 1e-6f * (n + 1), "n = " + n);
    }

    /** Values with zeros, negative zeros, NaN and infinities sprinkled in, and garbage past n. */
    private static float[] values(int n) {
        Random random = new Random(31L * n + 1);
        float[] x = new float[n + 5];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (random.nextInt(20)) {
                case 0 -> 0f;
                case 1 -> -0f;
                case 2 -> Float.NaN;
                case 3 -> Float.POSITIVE_INFINITY;
                default -> (float) random.nextGaussian() * 3;
            };
        }
        for (int i = n; i < x.length; i++) x[i] = 1e30f;                // must not be read
        return x;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void summarizeMatchesItsScalarTwin(int n) {
        float[] x = values(n);
        double[] vector = {3, -1, 1, 10, 2}, scalar = vector.clone();    // folds into running values
        Kernels.summarize(vector, x, n);
        ScalarKernels.summarize(scalar, x, n);
        assertEquals(scalar[Kernels.FINITE], vector[Kernels.FINITE], "finite count, n = " + n);
        assertEquals(scalar[Kernels.MIN], vector[Kernels.MIN], "min, n = " + n);
        assertEquals(scalar[Kernels.MAX], vector[Kernels.MAX], "max, n = " + n);
        assertEquals(scalar[Kernels.ZEROS], vector[Kernels.ZEROS], "zeros, n = " + n);
        assertEquals(scalar[Kernels.SUM], vector[Kernels.SUM], 1e-4 * (n + 1), "sum, n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void sumSquaredDeviationsMatchesItsScalarTwin(int n) {
        float[] x = values(n);
        double expected = ScalarKernels.sumSquaredDeviations(x, n, 0.25f);
        assertEquals(expected, Kernels.sumSquaredDeviations(x, n, 0.25f), 1e-5 * (expected + 1), "n = " + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 15, 16, 17, 31, 33, 100, 1023, 4099})
    void histogramMatchesItsScalarTwinExactly(int n) {
        float[] x = values(n);
        for (int bins : new int[] {1, 3, 64}) {
            long[] vector = new long[bins], scalar = new long[bins];
            Kernels.histogram(vector, x, n, -2.5f, 4f);                   // values outside [lo, hi] are left out
            ScalarKernels.histogram(scalar, x, n, -2.5f, 4f);
            assertArrayEquals(scalar, vector, "n = " + n + ", bins = " + bins);
        }
        long[] constant = new long[4];
        Kernels.histogram(constant, new float[] {2, 2, 2}, 3, 2f, 2f);    // an empty range puts everything in bin 0
        assertArrayEquals(new long[] {3, 0, 0, 0}, constant);
    }
}
