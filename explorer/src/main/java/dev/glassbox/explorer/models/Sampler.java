package dev.glassbox.explorer.models;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from a row of logits: greedy at temperature 0, otherwise a draw from the softmax of
 * logits / temperature, cut to the {@code topK} most likely tokens (0 = all) and then to the smallest set
 * whose probability reaches {@code topP} (1 = all). The same seed gives the same draws.
 */
public final class Sampler {
    private final float temperature;
    private final int topK;
    private final float topP;
    private final Random random;

    public Sampler(float temperature, int topK, float topP, long seed) {
        if (!(temperature >= 0) || !Float.isFinite(temperature)) throw new IllegalArgumentException("temperature >= 0 expected, found " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k >= 0 expected (0 = no cut), found " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p in (0, 1] expected, found " + topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new Random(seed);
    }

    public static Sampler greedy() { return new Sampler(0, 0, 1, 0); }

    /** The candidates after temperature, top-k and top-p, most likely first, with their probabilities (summing to 1). */
    public record Candidates(int[] tokens, float[] probabilities) {}

    /** The distribution the next draw comes from, for logits[offset, offset + vocab). */
    public Candidates candidates(float[] logits, int offset, int vocab) {
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[offset + b], logits[offset + a]));
        if (temperature == 0) return new Candidates(new int[] {order[0]}, new float[] {1f});

        int keep = topK == 0 ? vocab : Math.min(topK, vocab);
        double max = logits[offset + order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);       // stable: the largest term is exp(0)
            sum += p[i];
        }
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += p[i] / sum;
            if (cumulative >= topP) { nucleus = i + 1; break; }
        }
        double kept = 0;
        for (int i = 0; i < nucleus; i++) kept += p[i];
        int[] tokens = new int[nucleus];
        float[] probabilities = new float[nucleus];
        for (int i = 0; i < nucleus; i++) {
            tokens[i] = order[i];
            probabilities[i] = (float) (p[i] / kept);
        }
        return new Candidates(tokens, probabilities);
    }

    /** One token drawn from {@link #candidates}. */
    public int sample(float[] logits, int offset, int vocab) {
        return draw(candidates(logits, offset, vocab));
    }

    int draw(Candidates c) {
        if (c.tokens().length == 1) return c.tokens()[0];
        float r = random.nextFloat();
        float cumulative = 0;
        for (int i = 0; i < c.tokens().length; i++) {
            cumulative += c.probabilities()[i];
            if (r < cumulative) return c.tokens()[i];
        }
        return c.tokens()[c.tokens().length - 1];                                    // rounding left r above the total
    }

    /** The softmax of logits[offset, offset + vocab) at temperature 1: what the model itself believes. */
    public static float[] probabilities(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
        double sum = 0;
        float[] p = new float[vocab];
        for (int i = 0; i < vocab; i++) sum += (p[i] = (float) Math.exp(logits[offset + i] - max));
        for (int i = 0; i < vocab; i++) p[i] /= (float) sum;
        return p;
    }
}
