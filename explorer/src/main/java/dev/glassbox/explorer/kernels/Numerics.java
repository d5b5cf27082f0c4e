package dev.glassbox.explorer.kernels;

/**
 * What a vector kernel and its scalar twin must share to compute the same numbers: the constants of the
 * erfc and tanh-GELU approximations, the softmax cutoff, the histogram's bin scale, and where
 * {@link Kernels#summarize} keeps each running value. Both import this class; neither reads the other's
 * constants, so the twin stays below the kernel that falls back on it.
 */
public final class Numerics {
    /** Where {@link Kernels#summarize} (and its twin) keeps each running value in its output array. */
    public static final int FINITE = 0, MIN = 1, MAX = 2, SUM = 3, ZEROS = 4;

    /**
     * GELU's erfc: for a = |x| and z = a / sqrt 2, erfc(z) = exp(-a^2 / 2) * t * P(t) with t = 1 / (1 + q a).
     * t maps [0, inf) onto (0, 1], where erfc(z) exp(z^2) / t is smooth (it tends to q sqrt(2/pi) as a -> inf),
     * so a polynomial of degree 10 fits it with a relative error below 4e-8 (2e-7 evaluated in float).
     * q = 0.4 / sqrt 2; the coefficients are a weighted least-squares (Lawson) fit of that relative error
     * at 800 Chebyshev points, made for Glassbox in 40-digit arithmetic.
     */
    static final float ERFC_Q = 0.28284272551536560f;
    static final float[] ERFC_P = {
        2.256758511e-01f, 2.256758660e-01f, 2.076137364e-01f, 1.717392802e-01f, 1.190083548e-01f, 8.391617239e-02f,
        -4.689467326e-02f, 1.375606805e-01f, -2.355266809e-01f, 1.404464692e-01f, -2.921507321e-02f,
    };
    /** sqrt(2 / pi), the slope of GPT-2's tanh GELU at 0. */
    static final float GELU_TANH_C = (float) Math.sqrt(2 / Math.PI);

    /**
     * Softmax weights below exp(-70) ~ 4e-31 of the largest are set to exactly 0. They cannot change a float
     * sum that holds a 1, but left in they become subnormal numbers after the division, and every
     * multiply-add that reads a subnormal (attention's pattern @ v) runs up to a hundred times slower.
     */
    static final float SOFTMAX_CUTOFF = -70f;

    private Numerics() {}

    /** bins / (hi - lo), or 0 when the range is empty or not finite. */
    static float binScale(int bins, float lo, float hi) {
        float width = hi - lo;
        return hi > lo && Float.isFinite(width) ? bins / width : 0f;
    }
}
