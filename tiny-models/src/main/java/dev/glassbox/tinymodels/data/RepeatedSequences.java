package dev.glassbox.tinymodels.data;

import java.util.Random;

/**
 * Random sequences of {@value #LENGTH} symbols that repeat with a random period: the first {@code period} symbols
 * ({@value #MIN_PERIOD} to {@value #MAX_PERIOD}) are drawn uniformly from an alphabet of {@value #ALPHABET_SIZE}
 * printable characters, and the rest of the sequence repeats them, over and over, to the end. The first period
 * cannot be predicted; every symbol after it can, by a model that finds where the current symbol occurred before
 * and copies the symbol that followed it: an induction head (Olsson et al., 2022). Because the period changes from
 * sequence to sequence, counting positions does not help (with a fixed period of 24, an earlier version of this
 * data taught the model a head that looks exactly 23 positions back, which is not an induction head). The loss
 * on the repeats against the loss on the first period shows whether the model has one.
 *
 * <p>One character is one token. A sequence is held out when a hash of its text falls in one bucket of ten.
 */
public final class RepeatedSequences extends Dataset<RepeatedSequences.Sequence> {
    /** 26 + 26 + 8: letters and the digits 0-7, so every symbol is one byte and one token. */
    public static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567";
    public static final int ALPHABET_SIZE = 60;
    /** Symbols (tokens) per sequence. */
    public static final int LENGTH = 48;
    /** The shortest and the longest period: every sequence holds its first period at least twice. */
    public static final int MIN_PERIOD = 4, MAX_PERIOD = 24;
    /** The seed of the shipped {@code induction-2l}. */
    public static final long SEED = 20_240_602L;

    static {
        assert ALPHABET.length() == ALPHABET_SIZE && ALPHABET.chars().distinct().count() == ALPHABET_SIZE;
        assert 2 * MAX_PERIOD <= LENGTH;
    }

    /** One sequence: {@code text[i] == text[i - period]} for every {@code i >= period}. */
    public record Sequence(String text, int period) {
        public Sequence {
            if (text.length() != LENGTH || period < 1 || 2 * period > LENGTH) {
                throw new IllegalArgumentException("a " + LENGTH + "-symbol text and a period of 1 to " + LENGTH / 2 + " expected, found "
                        + text.length() + " symbols and period " + period);
            }
            for (int i = period; i < LENGTH; i++) {
                if (text.charAt(i) != text.charAt(i - period)) {
                    throw new IllegalArgumentException("a text that repeats with period " + period + " expected, found " + text
                            + " (symbol " + i + " differs from symbol " + (i - period) + ")");
                }
            }
        }

        /** How far back the earlier occurrence of each repeated symbol lies. */
        public int distance() { return period; }

        /**
         * Whether position {@code q} predicts a repeated symbol that copying can know: {@code q >= period} (the symbol
         * at q occurred before) and a symbol follows it.
         */
        public boolean copyable(int q) { return q >= period && q + 1 < LENGTH; }

        /** Whether position {@code q} predicts a symbol of the first period (1 .. period - 1), which cannot be known. */
        public boolean firstOccurrence(int q) { return q >= 0 && q + 1 < period; }

        /**
         * Whether key {@code k} is one an induction head attends to from query {@code q}: a position right after an earlier
         * occurrence of the symbol at {@code q} ({@code text[k - 1] == text[q]}, {@code 1 <= k <= q}). In a sequence that
         * repeats more than twice there are several (q - period + 1, q - 2 period + 1, ...), and each holds the next symbol.
         */
        public boolean isInductionKey(int q, int k) { return k >= 1 && k <= q && text.charAt(k - 1) == text.charAt(q); }
    }

    /** The shortest period with which {@code text} repeats ({@code text.length()} when it does not repeat). */
    public static int periodOf(String text) {
        for (int period = 1; period < text.length(); period++) {
            boolean repeats = true;
            for (int i = period; i < text.length() && repeats; i++) repeats = text.charAt(i) == text.charAt(i - period);
            if (repeats) return period;
        }
        return text.length();
    }

    public RepeatedSequences(long seed) {
        super(seed);
    }

    @Override public String name() { return "repeated-sequences"; }

    @Override public String separator() { return "\n"; }

    /** The period, then its symbols; the rest repeats them. */
    @Override protected Sequence draw(Random random) {
        int period = MIN_PERIOD + random.nextInt(MAX_PERIOD - MIN_PERIOD + 1);
        char[] text = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) text[i] = i < period ? ALPHABET.charAt(random.nextInt(ALPHABET_SIZE)) : text[i - period];
        return new Sequence(new String(text), period);
    }

    @Override protected boolean heldOut(Sequence sequence) { return Math.floorMod(hash(sequence.text()), 10) == 0; }

    @Override public String text(Sequence sequence) { return sequence.text(); }

    @Override public String card(int trainingExamples) {
        Sequence example = draw(new Random(Dataset.exampleSeed(seed(), 0)));
        return "**Training data: random sequences that repeat with a random period.** " + LENGTH + " symbols from a "
                + ALPHABET_SIZE + "-symbol alphabet (`A-Z`, `a-z`, `0-7`), one character and one token each: the first "
                + MIN_PERIOD + " to " + MAX_PERIOD + " symbols (the period, drawn at random) are drawn uniformly, and the rest repeats"
                + " them to the end. For example `" + example.text() + "` has period " + example.period() + ". The period changes"
                + " from sequence to sequence, so the repeats can only be predicted by finding the earlier occurrence of the"
                + " current symbol and copying the one after it: this is where induction heads form. In training only the"
                + " repeats are scored (from each position after the first period, the next symbol); the first period is random"
                + " and cannot be predicted. The model saw the first " + trainingExamples + " training sequences of the stream made by `"
                + getClass().getName() + "` with seed " + seed() + " (example i from `java.util.Random` seeded with"
                + " `Dataset.exampleSeed(seed, i)`). One sequence in ten, chosen by a hash, is held out.";
    }
}
