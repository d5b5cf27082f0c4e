package dev.glassbox.explorer.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel the forward passes split over threads gives the same bits on 1, 2 and 3 threads, at sizes large
 * enough to be split and not multiples of any vector width; and the crew runs each part exactly once.
 */
class ThreadsTest {

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian() * 2;
        return x;
    }

    /** Runs {@code kernel} on a copy of {@code input} at 1, 2 and 3 threads and checks the copies end equal. */
    private static void sameOnAnyThreadCount(float[] input, Consumer<float[]> kernel, String what) {
        int before = Kernels.threads();
        try {
            float[] one = input.clone();
            Kernels.setThreads(1);
            kernel.accept(one);
            for (int threads : new int[] {2, 3}) {
                float[] many = input.clone();
                Kernels.setThreads(threads);
                kernel.accept(many);
                assertArrayEquals(one, many, what + " on " + threads + " threads");
            }
        } finally {
            Kernels.setThreads(before);
        }
    }

    @ParameterizedTest
    @CsvSource({"97,203", "130,130", "12,3001"})
    void softmaxRowsIsTheSameOnAnyThreadCount(int rows, int n) {
        sameOnAnyThreadCount(gaussian(rows * n, rows), x -> Kernels.softmaxRows(x, rows, n), "softmaxRows " + rows + "x" + n);
    }

    @ParameterizedTest
    @CsvSource({"61,389", "257,384", "700,389"})
    void layerNormAndAddBiasAreTheSameOnAnyThreadCount(int m, int n) {
        float[] weight = gaussian(n, 1), bias = gaussian(n, 2);
        sameOnAnyThreadCount(gaussian(m * n, 3), x -> Kernels.layerNorm(x, x, weight, bias, m, n, 1e-5f), "layerNorm " + m + "x" + n);
        sameOnAnyThreadCount(gaussian(m * n, 4), x -> Kernels.addBias(x, bias, m, n), "addBias " + m + "x" + n);
    }

    @ParameterizedTest
    @ValueSource(ints = {16_385, 70_001, 300_007})
    void geluAndAddAreTheSameOnAnyThreadCount(int n) {
        sameOnAnyThreadCount(gaussian(n, 5), x -> Kernels.gelu(x, n), "gelu " + n);
        float[] other = gaussian(n, 6);
        sameOnAnyThreadCount(gaussian(n, 7), x -> Kernels.add(x, x, other, n), "add " + n);
    }

    @ParameterizedTest
    @CsvSource({"67,67,12,12,40,0,false", "67,67,12,4,40,0,true", "133,150,6,3,37,67,true", "128,128,12,12,32,0,false"})
    void attentionIsTheSameOnAnyThreadCount(int s, int t, int heads, int kvHeads, int headDim, int past, boolean causal) {
        float[] q = gaussian(s * heads * headDim, 8), k = gaussian(t * kvHeads * headDim, 9), v = gaussian(t * kvHeads * headDim, 10);
        String what = "attention s " + s + " t " + t + " heads " + heads + "/" + kvHeads + " dh " + headDim;
        sameOnAnyThreadCount(new float[heads * s * t], scores -> Kernels.attentionScores(scores, q, k, s, t, heads, kvHeads, headDim, past, causal), what);
        float[] pattern = new float[heads * s * t];
        Kernels.attentionScores(pattern, q, k, s, t, heads, kvHeads, headDim, past, causal);
        Kernels.softmaxRows(pattern, heads * s, t);
        sameOnAnyThreadCount(new float[s * heads * headDim], z -> Kernels.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim), what);
        // and the split kernels still agree with their scalar twins, which never split
        float[] vector = new float[heads * s * t], scalar = new float[heads * s * t];
        Kernels.attentionScores(vector, q, k, s, t, heads, kvHeads, headDim, past, causal);
        ScalarKernels.attentionScores(scalar, q, k, s, t, heads, kvHeads, headDim, past, causal);
        for (int i = 0; i < vector.length; i++) assertEquals(scalar[i], vector[i], 1e-4f * (1 + Math.abs(scalar[i])), what + " score " + i);
    }

    @Test
    void everyPartRunsExactlyOnceAndFailuresReachTheCaller() {
        int before = Kernels.threads();
        try {
            Kernels.setThreads(2);
            for (int round = 0; round < 200; round++) {
                int parts = 1 + round % 37;
                AtomicInteger[] runs = new AtomicInteger[parts];
                for (int p = 0; p < parts; p++) runs[p] = new AtomicInteger();
                Workers.run(parts, p -> runs[p].incrementAndGet());
                for (int p = 0; p < parts; p++) assertEquals(1, runs[p].get(), "part " + p + " of " + parts);
            }
            IllegalStateException boom = new IllegalStateException("part 5 failed");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Workers.run(9, p -> {
                if (p == 5) throw boom;
            }));
            assertSame(boom, thrown);
            int[] covered = new int[10_007];
            Workers.split(covered.length, 256, 1_000, 1, (from, to) -> {
                assertTrue(from % 256 == 0 && from < to, "range [" + from + ", " + to + ") starts on a grain");
                for (int i = from; i < to; i++) covered[i]++;
            });
            for (int i = 0; i < covered.length; i++) assertEquals(1, covered[i], "item " + i);
        } finally {
            Kernels.setThreads(before);
        }
    }
}
