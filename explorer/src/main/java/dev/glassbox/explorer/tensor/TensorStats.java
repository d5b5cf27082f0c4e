package dev.glassbox.explorer.tensor;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.Numerics;
import dev.glassbox.explorer.kernels.ScalarKernels;

/**
 * What the numbers of a tensor look like: range, mean, spread, how many are exactly zero, and a histogram.
 * min, max, mean and std are over the finite values; {@code nonFinite} counts the NaNs and infinities.
 * std is the population standard deviation, sqrt(sum (x - mean)^2 / n).
 *
 * @param sparsity the fraction of values that are exactly zero (0 when the tensor is empty)
 */
public record TensorStats(long count, long nonFinite, float min, float max, double mean, double std,
                          double sparsity, Histogram histogram) {

    /** Values decoded per kernel call: 256 KiB of floats stays in the L2 cache and is a whole number of blocks. */
    private static final int CHUNK = 1 << 16;

    /** The statistics of a tensor with a histogram of {@code bins} bins, computed with the Vector API kernels. */
    public static TensorStats of(Tensor tensor, int bins) {
        return compute(tensor, bins, true);
    }

    /** The same statistics computed with the scalar twins of the kernels: the reference, and the baseline for speed. */
    public static TensorStats scalar(Tensor tensor, int bins) {
        return compute(tensor, bins, false);
    }

    private static TensorStats compute(Tensor tensor, int bins, boolean vector) {
        if (bins < 1) throw new IllegalArgumentException("at least one histogram bin expected, found " + bins);
        long n = tensor.elementCount();
        float[] chunk = new float[(int) Math.min(CHUNK, Math.max(n, 1))];

        // pass 1: count, min, max, sum, zeros
        double[] summary = {0, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0};
        for (long from = 0; from < n; from += chunk.length) {
            int len = (int) Math.min(chunk.length, n - from);
            tensor.readFloats(from, chunk, 0, len);
            if (vector) Kernels.summarize(summary, chunk, len);
            else ScalarKernels.summarize(summary, chunk, len);
        }
        long finite = (long) summary[Numerics.FINITE];
        if (finite == 0) {
            return new TensorStats(n, n, Float.NaN, Float.NaN, Double.NaN, Double.NaN,
                    n == 0 ? 0 : summary[Numerics.ZEROS] / n, new Histogram(0, 0, new long[bins]));
        }
        float min = (float) summary[Numerics.MIN], max = (float) summary[Numerics.MAX];
        double mean = summary[Numerics.SUM] / finite;

        // pass 2: squared deviations from the mean (two passes keep the variance accurate), histogram
        double squares = 0;
        long[] counts = new long[bins];
        for (long from = 0; from < n; from += chunk.length) {
            int len = (int) Math.min(chunk.length, n - from);
            tensor.readFloats(from, chunk, 0, len);
            if (vector) {
                squares += Kernels.sumSquaredDeviations(chunk, len, (float) mean);
                Kernels.histogram(counts, chunk, len, min, max);
            } else {
                squares += ScalarKernels.sumSquaredDeviations(chunk, len, (float) mean);
                ScalarKernels.histogram(counts, chunk, len, min, max);
            }
        }
        return new TensorStats(n, n - finite, min, max, mean, Math.sqrt(squares / finite),
                summary[Numerics.ZEROS] / n, new Histogram(min, max, counts));
    }
}
