package dev.glassbox.models.data;

import java.util.Random;

/**
 * Random sequences of {@value #LENGTH} symbols in which one segment occurs twice: random filler, a segment of
 * {@value #MIN_SEGMENT} to {@value #MAX_SEGMENT} random symbols, a random gap of filler, the same segment again, and
 * filler to the end. Every symbol is drawn uniformly from an alphabet of {@value #ALPHABET_SIZE} printable characters.
 * Where the segment starts, how long it is and how far apart its two occurrences are change from sequence to
 * sequence, so a model cannot predict the repeat by counting positions: it must find where the current symbol
 * occurred before and copy the symbol that followed it, which is what an induction head does (Olsson et al., 2022).
 * The loss on the repeat against the loss on the first occurrence shows whether the model has one.
 *
 * <p>One character is one token. A sequence is held out when a hash of its text falls in one bucket of ten.
 */
public final class RepeatedSequences extends Dataset<RepeatedSequences.Sequence> {
    /** 26 + 26 + 8: letters and the digits 0-7, so every symbol is one byte and one token. */
    public static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567";
    public static final int ALPHABET_SIZE = 60;
    /** Symbols (tokens) per sequence. */
    public static final int LENGTH = 48;
    /** The shortest and the longest repeated segment. */
    public static final int MIN_SEGMENT = 6, MAX_SEGMENT = 20;
    /** The seed of the shipped {@code induction-2l}. */
    public static final long SEED = 20_240_602L;

    static {
        assert ALPHABET.length() == ALPHABET_SIZE && ALPHABET.chars().distinct().count() == ALPHABET_SIZE;
        assert 2 * MAX_SEGMENT <= LENGTH;
    }

    /**
     * One sequence: {@code text} holds the segment {@code text[first, first + length)} again at
     * {@code text[second, second + length)}, with {@code second >= first + length}.
     */
    public record Sequence(String text, int first, int second, int length) {
        public Sequence {
            if (text.length() != LENGTH || length < 1 || first < 0 || second < first + length || second + length > LENGTH
                    || !text.substring(first, first + length).equals(text.substring(second, second + length))) {
                throw new IllegalArgumentException("a " + LENGTH + "-symbol text with a segment of length " + length + " at "
                        + first + " repeated at " + second + " expected, found " + text);
            }
        }

        /** How far back the earlier occurrence of each symbol of the repeat lies: {@code second - first}. */
        public int distance() { return second - first; }

        /**
         * Whether position {@code q} predicts a symbol of the repeat that copying can know: the query reads symbol
         * {@code j} of the repeat (q = second + j) and predicts symbol {@code j + 1}, for j = 0 .. length - 2.
         */
        public boolean copyable(int q) { return q >= second && q < second + length - 1; }

        /** The same for the first occurrence: position {@code q} predicts symbol 1 .. length - 1 of the segment's first occurrence. */
        public boolean firstOccurrence(int q) { return q >= first && q < first + length - 1; }

        /**
         * The key an induction head attends to from copyable query {@code q}: the position right after the earlier
         * occurrence of the symbol at {@code q}, {@code q - distance() + 1}.
         */
        public int inductionKey(int q) { return q - distance() + 1; }
    }

    public RepeatedSequences(long seed) {
        super(seed);
    }

    @Override public String name() { return "repeated-sequences"; }

    @Override public String separator() { return "\n"; }

    /** The segment's length, then the gap between its occurrences, then the filler before it, then the symbols. */
    @Override protected Sequence draw(Random random) {
        int length = MIN_SEGMENT + random.nextInt(MAX_SEGMENT - MIN_SEGMENT + 1);
        int free = LENGTH - 2 * length;                 // filler symbols: before + gap + after
        int gap = random.nextInt(free + 1);
        int first = random.nextInt(free - gap + 1);
        int second = first + length + gap;
        char[] text = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) text[i] = ALPHABET.charAt(random.nextInt(ALPHABET_SIZE));
        System.arraycopy(text, first, text, second, length);
        return new Sequence(new String(text), first, second, length);
    }

    @Override protected boolean heldOut(Sequence sequence) { return Math.floorMod(hash(sequence.text()), 10) == 0; }

    @Override public String text(Sequence sequence) { return sequence.text(); }

    @Override public String card(int trainingExamples) {
        Sequence example = draw(new Random(Dataset.exampleSeed(seed(), 0)));
        return "**Training data: random sequences with a repeated segment.** " + LENGTH + " symbols drawn uniformly from a "
                + ALPHABET_SIZE + "-symbol alphabet (`A-Z`, `a-z`, `0-7`), one character and one token each, in which a segment of "
                + MIN_SEGMENT + " to " + MAX_SEGMENT + " symbols occurs twice: random filler, the segment, a random gap, the segment"
                + " again, filler to the end. The segment's length, start and gap are random, so the repeat can only be predicted"
                + " by finding the earlier occurrence of the current symbol and copying the one after it: this is where induction"
                + " heads form. For example `" + example.text() + "` repeats `" + example.text().substring(example.first(), example.first() + example.length())
                + "` (" + example.length() + " symbols at " + example.first() + " and " + example.second() + "). In training only the"
                + " repeat is scored (from each of its symbols but the last, the next one); the rest is random and cannot be predicted. The model saw the first " + trainingExamples + " training sequences of the stream made by `"
                + getClass().getName() + "` with seed " + seed() + " (example i from `java.util.Random` seeded with"
                + " `Dataset.exampleSeed(seed, i)`). One sequence in ten, chosen by a hash, is held out.";
    }
}
