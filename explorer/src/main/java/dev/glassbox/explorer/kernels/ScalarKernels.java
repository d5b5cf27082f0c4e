package dev.glassbox.explorer.kernels;

import static dev.glassbox.explorer.kernels.Kernels.FINITE;
import static dev.glassbox.explorer.kernels.Kernels.MAX;
import static dev.glassbox.explorer.kernels.Kernels.MIN;
import static dev.glassbox.explorer.kernels.Kernels.SUM;
import static dev.glassbox.explorer.kernels.Kernels.ZEROS;

/** Plain-loop twins of {@link Kernels}: the reference each vector kernel is tested against. */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** a (n,) . b (n,) -> scalar, one element at a time. */
    public static float dot(float[] a, float[] b, int n) {
        float result = 0;
        for (int i = 0; i < n; i++) result += a[i] * b[i];
        return result;
    }

    /** x (n,) folded into {@code out = {finite count, min, max, sum, zero count}}, one element at a time. */
    public static void summarize(double[] out, float[] x, int n) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY, total = 0;
        long finite = 0, zeros = 0;
        for (int i = 0; i < n; i++) {
            float v = x[i];
            if (v == 0) zeros++;
            if (!Float.isFinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            total += v;
            finite++;
        }
        out[FINITE] += finite;
        out[MIN] = Math.min(out[MIN], lo);
        out[MAX] = Math.max(out[MAX], hi);
        out[SUM] += total;
        out[ZEROS] += zeros;
    }

    /** x (n,), mean -> sum over the finite values of (x - mean)^2, one element at a time. */
    public static double sumSquaredDeviations(float[] x, int n, float mean) {
        float total = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) continue;
            float dev = x[i] - mean;
            total += dev * dev;
        }
        return total;
    }

    /** x (n,) -> counts (bins,) += values per bin over [lo, hi], one element at a time. */
    public static void histogram(long[] counts, float[] x, int n, float lo, float hi) {
        int bins = counts.length;
        float scale = Kernels.binScale(bins, lo, hi);
        for (int i = 0; i < n; i++) {
            float v = x[i];
            if (v >= lo && v <= hi) counts[Math.min(bins - 1, (int) ((v - lo) * scale))]++;
        }
    }
}
