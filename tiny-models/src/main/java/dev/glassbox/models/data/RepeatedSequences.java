package dev.glassbox.models.data;

import java.util.Random;

/**
 * Random sequences whose second half repeats the first: {@value #HALF} symbols drawn uniformly from an
 * alphabet of {@value #ALPHABET_SIZE} printable characters, then the same {@value #HALF} again. The first
 * half cannot be predicted; the second half can, by a model that finds where the current symbol appeared
 * before and copies the symbol that followed it: an induction head (Olsson et al., 2022). The loss on the
 * second half against the loss on the first shows whether the model has one.
 *
 * <p>One character is one token. A sequence is held out when a hash of it falls in one bucket of ten
 * (with 60^24 possible sequences, repeats are not expected anyway; the rule makes it a guarantee).
 */
public final class RepeatedSequences extends Dataset<String> {
    /** 26 + 26 + 8: letters and the digits 0-7, so every symbol is one byte and one token. */
    public static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567";
    public static final int ALPHABET_SIZE = 60;
    public static final int HALF = 24;
    /** The seed of the shipped {@code induction-2l}. */
    public static final long SEED = 20_240_602L;

    static {
        assert ALPHABET.length() == ALPHABET_SIZE && ALPHABET.chars().distinct().count() == ALPHABET_SIZE;
    }

    public RepeatedSequences(long seed) {
        super(seed);
    }

    @Override public String name() { return "repeated-sequences"; }

    @Override public String separator() { return "\n"; }

    /** The first half. */
    @Override protected String draw(Random random) {
        char[] half = new char[HALF];
        for (int i = 0; i < HALF; i++) half[i] = ALPHABET.charAt(random.nextInt(ALPHABET_SIZE));
        return new String(half);
    }

    @Override protected boolean heldOut(String half) { return Math.floorMod(hash(half), 10) == 0; }

    @Override public String text(String half) { return half + half; }

    @Override public String card(int trainingExamples) {
        return "**Training data: repeated random sequences.** " + HALF + " symbols drawn uniformly from a "
                + ALPHABET_SIZE + "-symbol alphabet (`A-Z`, `a-z`, `0-7`), then the same " + HALF + " symbols again ("
                + 2 * HALF + " tokens, one character each), for example `" + text(draw(new Random(Dataset.exampleSeed(seed(), 0))))
                + "`. The second half can only be predicted by copying from the first: this is where induction heads form."
                + " The model saw the first " + trainingExamples + " training sequences of the stream made by `"
                + getClass().getName() + "` with seed " + seed() + " (example i from `java.util.Random` seeded with"
                + " `Dataset.exampleSeed(seed, i)`). One sequence in ten, chosen by a hash, is held out.";
    }
}
