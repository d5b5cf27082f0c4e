package dev.glassbox.explorer.training;

/**
 * The learning rate by step: a linear warm-up from peak / warmup to peak over the first {@code warmup} steps
 * (so step 0 already moves), then a cosine from peak down to {@code floor} at step {@code total}, and the floor after.
 */
public record Schedule(float peak, float floor, int warmup, int total) {
    public Schedule {
        if (!(peak > 0) || !(floor >= 0) || floor > peak || warmup < 0 || total < 1 || warmup > total) {
            throw new IllegalArgumentException("0 <= floor <= peak, peak > 0, 0 <= warmup <= total, total >= 1 expected, found peak "
                    + peak + ", floor " + floor + ", warmup " + warmup + ", total " + total);
        }
    }

    /** A constant rate. */
    public static Schedule constant(float lr) { return new Schedule(lr, lr, 0, 1); }

    /** The rate of step (0-based). */
    public float rate(int step) {
        if (step < warmup) return peak * (step + 1) / warmup;
        if (step >= total) return floor;
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress)));
    }
}
