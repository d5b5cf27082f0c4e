package dev.glassbox.explorer.kernels;

import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Dequantize;
import dev.glassbox.explorer.tensor.Quantize;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatmulTest {
    /** The unit roundoff of float: the largest relative error of one rounding. */
    private static final double U = 0x1p-24;

    static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    /**
     * Summing n products in any order (and rounding each product) errs by at most about (n + 1) u sum |x_k w_k|
     * (Higham, Accuracy and Stability of Numerical Algorithms, 3.1), so that, per output, is the tolerance
     * wherever two kernels add in different orders.
     */
    static void assertCloseToSumOrder(float[] expected, float[] actual, float[] absSums, int n, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tolerance = (n + 1) * U * absSums[i] + Float.MIN_NORMAL;
            assertEquals(expected[i], actual[i], tolerance, what + ", element " + i);
        }
    }

    /** sum_k |x[i][k]| |w[k][j]| for each out element: the scale of the rounding error of out[i][j]. */
    static float[] absSums(float[] x, float[] w, int m, int n, int d) {
        float[] sums = new float[m * d];
        for (int i = 0; i < m; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < d; j++) sums[i * d + j] += Math.abs(x[i * n + k] * w[k * d + j]);
            }
        }
        return sums;
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "1,7,17", "1,384,1536", "2,33,15", "3,100,64", "5,17,65", "7,384,389", "8,384,384",
                "13,65,129", "6,1,100", "20,389,33", "128,384,384", "33,1536,40",
                "17,129,128", "128,128,32", "9,40,80", "16,7,40"})
    void f32MatchesItsScalarTwinBitForBit(int m, int n, int d) {
        float[] x = gaussian(m * n, 1), w = gaussian(n * d, 2);
        float[] expected = new float[m * d], actual = new float[m * d];
        java.util.Arrays.fill(actual, Float.NaN);                      // must be overwritten, not added to
        ScalarKernels.matmul(expected, x, w, m, n, d);
        Matrix.F32 packed = new Matrix.F32(w, n, d);
        Kernels.matmul(actual, x, packed, m);
        // both run one FMA chain over k = 0..n-1 per output, so blocking, tiles, masks and panels change nothing
        assertArrayEquals(expected, actual, m + "x" + n + "x" + d);
        float[] twin = new float[m * d];
        ScalarKernels.matmul(twin, x, packed, m);                       // the scalar twin reading the panels
        assertArrayEquals(expected, twin, "scalar, from panels, " + m + "x" + n + "x" + d);
        assertArrayEquals(w, packed.w(), "unpacked");
    }

    @Test
    void panelsHoldEachColumnRangeRowAfterRow() {
        int n = 3, width = Tiles.WIDE, d = width + 2;                   // one whole panel and a last one of 2 columns
        float[] w = new float[n * d];
        for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) w[k * d + j] = 1000 * k + j;
        float[] panels = new Matrix.F32(w, n, d).panels();
        assertEquals(1001, panels[1 * width + 1], "row 1, column 1 (first panel)");
        assertEquals(2000 + width + 1, panels[n * width + 2 * 2 + 1], "row 2, column width + 1 (last panel, 2 wide)");
        float[] outIn = new float[d * n];                               // the same W as nn.Linear keeps it
        for (int k = 0; k < n; k++) for (int j = 0; j < d; j++) outIn[j * n + k] = w[k * d + j];
        assertArrayEquals(panels, Matrix.transposed(outIn, n, d).panels());
        float[] copy = new Matrix.F32(w, n, d).w();
        copy[0] = -1;                                                   // w() is the matrix's copy, not its storage
        float[] out = new float[d];
        Matrix.F32 fresh = new Matrix.F32(w, n, d);
        fresh.w()[0] = -1;
        Kernels.matmul(out, new float[] {1, 0, 0}, fresh, 1);
        assertEquals(0f, out[0]);
    }

    @Test
    void scalarMatmulAgreesWithDoublePrecision() {
        int m = 3, n = 50, d = 7;
        float[] x = gaussian(m * n, 3), w = gaussian(n * d, 4), out = new float[m * d];
        ScalarKernels.matmul(out, x, w, m, n, d);
        float[] abs = absSums(x, w, m, n, d);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += (double) x[i * n + k] * w[k * d + j];
                assertEquals(sum, out[i * d + j], (n + 1) * U * abs[i * d + j], "out[" + i + "][" + j + "]");
            }
        }
        float[] identity = new float[d * d];
        for (int j = 0; j < d; j++) identity[j * d + j] = 1;
        float[] rows = gaussian(2 * d, 5), copy = new float[2 * d];
        Kernels.matmul(copy, rows, identity, 2, d, d);
        assertArrayEquals(rows, copy, "x @ I = x");
    }

    @Test
    void transposedTurnsPytorchLayoutIntoInputMajor() {
        float[] outIn = {1, 2, 3, 4, 5, 6};                           // (d=2, n=3): rows are outputs
        Matrix.F32 w = Matrix.transposed(outIn, 3, 2);
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.w());
        float[] out = new float[2];
        Kernels.matmul(out, new float[] {1, 1, 1}, w, 1);
        assertArrayEquals(new float[] {6, 15}, out);                    // the row sums of the (2,3) weight
    }

    /** W (d,n) as GGUF blocks, with the floats it decodes to as (n,d) for the F32 matmul. */
    record Quantized(Matrix matrix, float[] decoded) {}

    static Quantized quantized(DType type, int n, int d, long seed) {
        float[] rows = gaussian(d * n, seed);                            // (d,n): one row of blocks per output
        for (int i = 0; i < rows.length; i += 97) rows[i] *= 20;         // a few outliers, so the scales differ between blocks
        MemorySegment blocks = Quantize.encode(type, rows);
        float[] decoded = new float[d * n];
        Dequantize.range(decoded, 0, type, blocks, 0, d * n);
        Matrix matrix = type == DType.Q8_0 ? new Matrix.Q8_0(blocks, n, d) : new Matrix.Q4_0(blocks, n, d);
        return new Quantized(matrix, Matrix.transposed(decoded, n, d).w());
    }

    @ParameterizedTest
    @CsvSource({"Q8_0,1,32,1", "Q8_0,1,384,1536", "Q8_0,1,64,7", "Q8_0,3,96,5", "Q8_0,4,32,3", "Q8_0,7,384,389",
                "Q8_0,17,160,33", "Q8_0,64,384,384", "Q4_0,1,32,1", "Q4_0,1,384,1536", "Q4_0,1,64,7", "Q4_0,3,96,5",
                "Q4_0,4,32,3", "Q4_0,7,384,389", "Q4_0,17,160,33", "Q4_0,64,384,384"})
    void quantizedMatchesTheFloatMatmulOfItsDecodedWeights(DType type, int m, int n, int d) {
        Quantized w = quantized(type, n, d, 10L * m + n + d);
        float[] x = gaussian(m * n, 6);
        float[] vector = new float[m * d], scalar = new float[m * d], decoded = new float[m * d];
        Kernels.matmul(vector, x, w.matrix(), m);
        ScalarKernels.matmul(scalar, x, w.matrix(), m);
        Kernels.matmul(decoded, x, w.decoded(), m, n, d);
        // each block is decoded to exactly the floats Dequantize gives, so only the order of the sums differs
        float[] abs = absSums(x, w.decoded(), m, n, d);
        assertCloseToSumOrder(scalar, vector, abs, n, type + " vector vs scalar");
        assertCloseToSumOrder(decoded, vector, abs, n, type + " vs F32 of the decoded weights");
    }

    @Test
    void quantizedDotsMatchTheirScalarTwins() {
        for (DType type : new DType[] {DType.Q8_0, DType.Q4_0}) {
            Quantized w = quantized(type, 96, 3, 7);
            float[] x = gaussian(96 + 5, 8);
            MemorySegment blocks = type == DType.Q8_0 ? ((Matrix.Q8_0) w.matrix()).blocks() : ((Matrix.Q4_0) w.matrix()).blocks();
            long rowBytes = 3L * type.blockBytes();
            for (int row = 0; row < 3; row++) {
                float expected = type == DType.Q8_0 ? ScalarKernels.dotQ8_0(blocks, row * rowBytes, x, 5, 96)
                        : ScalarKernels.dotQ4_0(blocks, row * rowBytes, x, 5, 96);
                float actual = type == DType.Q8_0 ? Kernels.dotQ8_0(blocks, row * rowBytes, x, 5, 96)
                        : Kernels.dotQ4_0(blocks, row * rowBytes, x, 5, 96);
                double exact = 0, abs = 0;
                for (int k = 0; k < 96; k++) {
                    double term = (double) w.decoded()[k * 3 + row] * x[5 + k];
                    exact += term;
                    abs += Math.abs(term);
                }
                assertEquals(exact, expected, 97 * U * abs, type + " scalar twin vs double, row " + row);
                assertEquals(expected, actual, 97 * U * abs, type + " vector vs scalar, row " + row);
            }
        }
    }

    @Test
    void matricesCheckTheirSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Matrix.F32(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> new Matrix.Q8_0(MemorySegment.ofArray(new byte[34]), 48, 1));
        assertThrows(IllegalArgumentException.class, () -> new Matrix.Q4_0(MemorySegment.ofArray(new byte[17]), 32, 1));
        assertTrue(new Matrix.Q4_0(MemorySegment.ofArray(new byte[36]), 32, 2).d() == 2);
    }

    @ParameterizedTest
    @CsvSource({"F32,128,384,384", "F32,33,384,1536", "F32,64,1536,389", "Q8_0,64,384,384", "Q8_0,9,1536,384", "Q4_0,64,384,384"})
    void threadedMatmulEqualsSingleThreadedBitForBit(String kind, int m, int n, int d) {
        Matrix w = kind.equals("F32") ? new Matrix.F32(gaussian(n * d, 9), n, d) : quantized(DType.valueOf(kind), n, d, 9).matrix();
        float[] x = gaussian(m * n, 10), one = new float[m * d], many = new float[m * d];
        int before = Kernels.threads();
        try {
            Kernels.setThreads(1);
            Kernels.matmul(one, x, w, m);
            Kernels.setThreads(3);                                      // more parts than cores: each still computes whole outputs alone
            Kernels.matmul(many, x, w, m);
        } finally {
            Kernels.setThreads(before);
        }
        if (w instanceof Matrix.F32) {
            assertArrayEquals(one, many, kind + " " + m + "x" + n + "x" + d);          // one FMA chain per output, whoever runs it
        } else {
            // the quantized dots end in reduceLanes, whose order the Vector API leaves open (the interpreter
            // adds lanes in a row, compiled code as a tree), so a split may only change the last bits
            assertCloseToSumOrder(one, many, absSums(x, quantized(DType.valueOf(kind), n, d, 9).decoded(), m, n, d), n, kind);
        }
    }

    @Test
    void threadsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Kernels.setThreads(0));
        assertTrue(Kernels.threads() >= 1);
    }
}
