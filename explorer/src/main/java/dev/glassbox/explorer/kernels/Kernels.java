package dev.glassbox.explorer.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The compute kernels, written with the Vector API. Each is static and pure, takes its output first
 * (when it has one) and its sizes explicitly, and has a twin in {@link ScalarKernels} that is its oracle.
 */
public final class Kernels {
    /** The vector shape used by every kernel: the widest this CPU runs well (512 bits with AVX-512). */
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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
}
