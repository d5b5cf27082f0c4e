package dev.glassbox.explorer.kernels;

/** Plain-loop twins of {@link Kernels}: the reference each vector kernel is tested against. */
public final class ScalarKernels {
    private ScalarKernels() {}

    /** a (n,) . b (n,) -> scalar, one element at a time. */
    public static float dot(float[] a, float[] b, int n) {
        float result = 0;
        for (int i = 0; i < n; i++) result += a[i] * b[i];
        return result;
    }
}
