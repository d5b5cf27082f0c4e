package dev.glassbox.web.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training loss of every step so far, kept as it comes, and sent to the page as at most a few hundred
 * points: consecutive steps are averaged in equal buckets, so the curve keeps its shape and the page draws fast.
 * Thread-safe: the run's thread appends, request threads read.
 */
final class LossCurve {
    private float[] losses = new float[256];
    private int count;

    synchronized void add(float loss) {
        if (count == losses.length) losses = Arrays.copyOf(losses, count * 2);
        losses[count++] = loss;
    }

    synchronized int size() {
        return count;
    }

    /** The last loss, or NaN before the first step. */
    synchronized float last() {
        return count == 0 ? Float.NaN : losses[count - 1];
    }

    /**
     * At most {@code maxPoints} points {@code [step, mean loss]}: step s (1-based, the step that produced it) stands
     * for the bucket of steps that ends at s. With {@code count <= maxPoints} every step is its own point.
     */
    synchronized List<float[]> points(int maxPoints) {
        List<float[]> out = new ArrayList<>(Math.min(count, maxPoints));
        int buckets = Math.min(count, maxPoints);
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * count / buckets), to = (int) ((long) (b + 1) * count / buckets);   // [from, to)
            double sum = 0;
            for (int i = from; i < to; i++) sum += losses[i];
            out.add(new float[] {to, (float) (sum / (to - from))});
        }
        return out;
    }
}
