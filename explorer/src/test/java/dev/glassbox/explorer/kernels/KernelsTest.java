package dev.glassbox.explorer.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

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
}
