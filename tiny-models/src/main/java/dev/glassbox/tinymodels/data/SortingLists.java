package dev.glassbox.tinymodels.data;

import java.util.Arrays;
import java.util.Random;

/**
 * Lists of digits to sort, written as text: the list, {@code >}, the same digits in order, {@code .}
 * ({@code 52917>12579.}). One character is one token, so a model reads the list and writes its answer
 * digit by digit; the loss that matters is on the answer after {@code >}.
 *
 * <p>Lengths are uniform in {@value #MIN_LENGTH}..{@value #MAX_LENGTH}: from two digits, the shortest list
 * with an order to find, to eight, where a model of about 100k parameters still sorts (a list and its answer
 * are then 18 tokens); digits are uniform in 0..9 and may repeat. A list is held out when a hash of its
 * digits falls in one bucket of ten, so a held-out list never appears in training, as a whole list.
 */
public final class SortingLists extends Dataset<String> {
    public static final int MIN_LENGTH = 2, MAX_LENGTH = 8;
    /** The seed of the shipped {@code sorter}. */
    public static final long SEED = 20_240_601L;

    public SortingLists(long seed) {
        super(seed);
    }

    @Override public String name() { return "sorting"; }

    @Override public String separator() { return "\n"; }

    /** The unsorted digits. */
    @Override protected String draw(Random random) {
        char[] digits = new char[MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1)];
        for (int i = 0; i < digits.length; i++) digits[i] = (char) ('0' + random.nextInt(10));
        return new String(digits);
    }

    @Override protected boolean heldOut(String list) { return Math.floorMod(hash(list), 10) == 0; }

    @Override public String text(String list) { return list + '>' + sorted(list) + '.'; }

    /** The digits of {@code list} in ascending order. */
    public static String sorted(String list) {
        char[] digits = list.toCharArray();
        Arrays.sort(digits);
        return new String(digits);
    }

    @Override public String card(int trainingExamples) {
        return "**Training data: lists to sort.** Lists of " + MIN_LENGTH + " to " + MAX_LENGTH
                + " digits (uniform length, digits 0-9, repeats allowed), written as the list, `>`, the sorted list and `.`,"
                + " for example `" + text(draw(new Random(Dataset.exampleSeed(seed(), 0)))) + "`; one character is one token."
                + " The model saw the first " + trainingExamples + " training lists of the stream made by `"
                + getClass().getName() + "` with seed " + seed() + " (example i from `java.util.Random` seeded with"
                + " `Dataset.exampleSeed(seed, i)`). One list in ten, chosen by a hash of its digits, is held out:"
                + " no held-out list is ever trained on.";
    }
}
