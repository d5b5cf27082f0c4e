package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The compute kernels, written with the Vector API. Each is static and pure, takes its output first
 * (when it has one) and its sizes explicitly, and has a twin in {@link ScalarKernels} that is its oracle.
 */
public final class Kernels {
    /** The vector shape used by every kernel: the widest this CPU runs well (512 bits with AVX-512). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INT_SPECIES = IntVector.SPECIES_PREFERRED;

    /** Where {@link #summarize} keeps each running value in its output array. */
    public static final int FINITE = 0, MIN = 1, MAX = 2, SUM = 3, ZEROS = 4;

    private Kernels() {}

    /** a (n,) . b (n,) -> scalar, accumulated lane-wise with fused multiply-add, then reduced. */
    public static float dot(float[] a, float[] b, int n) {
        assert a.length >= n && b.length >= n : "dot of " + n + " needs arrays that long";
        FloatVector sum = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            sum = FloatVector.fromArray(SPECIES, a, i).fma(FloatVector.fromArray(SPECIES, b, i), sum);
        }
        float result = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) result += a[i] * b[i];               // the tail that does not fill a vector
        return result;
    }

    /**
     * x (n,) folded into a running summary {@code out = {finite count, min, max, sum, zero count}}
     * (indices {@link #FINITE}..{@link #ZEROS}); min, max and sum are over the finite values only, so one
     * NaN or infinity does not hide the rest. Start from {@code {0, +inf, -inf, 0, 0}}; the sum is kept
     * in float lanes within one call, so fold long arrays in chunks (of e.g. 64K values).
     */
    public static void summarize(double[] out, float[] x, int n) {
        assert out.length >= 5 && x.length >= n;
        FloatVector min = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
        FloatVector max = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector sum = FloatVector.zero(SPECIES);
        long finite = 0, zeros = 0;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            VectorMask<Float> ok = v.test(VectorOperators.IS_FINITE);
            min = min.lanewise(VectorOperators.MIN, v, ok);
            max = max.lanewise(VectorOperators.MAX, v, ok);
            sum = sum.add(v, ok);
            finite += ok.trueCount();
            zeros += v.compare(VectorOperators.EQ, 0f).trueCount();     // -0.0 counts as zero too
        }
        float lo = min.reduceLanes(VectorOperators.MIN), hi = max.reduceLanes(VectorOperators.MAX);
        float total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {                                            // the tail that does not fill a vector
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

    /** x (n,), mean -> sum over the finite values of (x - mean)^2: the numerator of the variance. */
    public static double sumSquaredDeviations(float[] x, int n, float mean) {
        assert x.length >= n;
        FloatVector m = FloatVector.broadcast(SPECIES, mean);
        FloatVector sum = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector dev = v.sub(m);
            sum = sum.add(dev.mul(dev), v.test(VectorOperators.IS_FINITE));
        }
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            if (!Float.isFinite(x[i])) continue;
            float dev = x[i] - mean;
            total += dev * dev;
        }
        return total;
    }

    /**
     * x (n,) -> counts (bins,) += how many values fall in each of {@code bins} equal bins over [lo, hi]:
     * bin = min(bins - 1, (int) ((x - lo) * scale)) with scale = bins / (hi - lo) (0 when hi <= lo, so a
     * constant tensor fills bin 0); values outside [lo, hi] and NaN are not counted. The bin index is
     * computed with the same float operations as the scalar twin, so the counts are identical.
     * Each lane counts into its own copy of the bins (lane l uses perLane[l * bins + bin]), so one
     * vector's lanes never hit the same counter and can be incremented with one gather, add and scatter;
     * the copies are added up at the end.
     */
    public static void histogram(long[] counts, float[] x, int n, float lo, float hi) {
        assert x.length >= n && counts.length > 0;
        int bins = counts.length, lanes = SPECIES.length();
        float scale = binScale(bins, lo, hi);
        FloatVector low = FloatVector.broadcast(SPECIES, lo);
        FloatVector factor = FloatVector.broadcast(SPECIES, scale);
        IntVector laneBase = IntVector.zero(INT_SPECIES).addIndex(bins);          // (0, bins, 2 bins, ...)
        int[] perLane = new int[lanes * bins];
        int[] index = new int[lanes];
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += lanes) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            VectorMask<Float> inside = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            IntVector bin = ((IntVector) v.sub(low).mul(factor).convertShape(VectorOperators.F2I, INT_SPECIES, 0))
                    .max(0).min(bins - 1);                                  // lanes outside [lo, hi] are masked off, but must index in bounds
            bin.add(laneBase).intoArray(index, 0);
            VectorMask<Integer> counted = inside.cast(INT_SPECIES);
            IntVector.fromArray(INT_SPECIES, perLane, 0, index, 0, counted).add(1).intoArray(perLane, 0, index, 0, counted);
        }
        for (int l = 0; l < lanes; l++) {
            for (int b = 0; b < bins; b++) counts[b] += perLane[l * bins + b];
        }
        for (; i < n; i++) {                                            // the tail that does not fill a vector
            float v = x[i];
            if (v >= lo && v <= hi) counts[Math.min(bins - 1, (int) ((v - lo) * scale))]++;
        }
    }

    /** bins / (hi - lo), or 0 when the range is empty or not finite. */
    static float binScale(int bins, float lo, float hi) {
        float width = hi - lo;
        return hi > lo && Float.isFinite(width) ? bins / width : 0f;
    }
}
