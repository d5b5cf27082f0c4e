package dev.glassbox.explorer.tensor;

/** The positions of the largest values of an array: the next-token candidates, the logit lens, the largest rows. */
public final class TopK {
    private TopK() {}

    /**
     * The indices of the {@code k} largest of {@code values} (all of them when there are fewer), largest first; equal
     * values in index order; NaN counts as smaller than any number. One pass, keeping the best k in order.
     */
    public static int[] indices(float[] values, int k) {
        if (k < 0) throw new IllegalArgumentException("a count from 0 expected, found " + k);
        int n = Math.min(k, values.length), filled = 0;
        int[] best = new int[n];
        float[] key = new float[n];
        for (int t = 0; t < values.length && n > 0; t++) {
            float v = Float.isNaN(values[t]) ? Float.NEGATIVE_INFINITY : values[t];
            if (filled == n && !(v > key[n - 1])) continue;
            int i = filled < n ? filled++ : n - 1;
            while (i > 0 && v > key[i - 1]) {
                key[i] = key[i - 1];
                best[i] = best[i - 1];
                i--;
            }
            key[i] = v;
            best[i] = t;
        }
        return best;
    }
}
