package dev.glassbox.tinymodels.data;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A seeded stream of training examples, each a short text, split into training and held-out examples.
 *
 * <p>Example {@code i} of the stream is drawn from its own {@code java.util.Random}, seeded with
 * {@link #exampleSeed(long, long) exampleSeed(seed, i)}; {@code java.util.Random}'s algorithm is fixed by its
 * specification, so a seed gives the same examples, byte for byte, on every JVM. Each example then falls in
 * one split by a rule of its own content ({@link #heldOut(Object)}), so no held-out example is ever a training one.
 * The streams are unbounded and lazy: a recipe takes as many examples as it trains on.
 *
 * @param <T> what an example is before it is written as text (a list of digits, a story with its characters)
 */
public abstract class Dataset<T> {
    private final long seed;

    protected Dataset(long seed) {
        this.seed = seed;
    }

    /** A short name for file names and cards ({@code sorting}, {@code stories}). */
    public abstract String name();

    /** The seed every example derives from. */
    public final long seed() { return seed; }

    /** What separates examples in {@link #text(int)}: a newline, or the end-of-text token between stories. */
    public abstract String separator();

    /** The example drawn from {@code random}, a fresh generator for this example alone. */
    protected abstract T draw(Random random);

    /** Whether {@code example} belongs to the held-out split; decided by its content only. */
    protected abstract boolean heldOut(T example);

    /** The example as the model reads it. */
    public abstract String text(T example);

    /**
     * A Markdown paragraph for a model card: what the data is, how much of it the model saw (the first
     * {@code trainingExamples} training examples), the generator class and the seed.
     */
    public abstract String card(int trainingExamples);

    /** The examples of one split, in stream order, unbounded. */
    public Stream<T> examples(Split split) {
        boolean wantHeldOut = split == Split.HELD_OUT;
        return Stream.iterate(0L, i -> i + 1)
                .map(i -> draw(new Random(exampleSeed(seed, i))))
                .filter(example -> heldOut(example) == wantHeldOut);
    }

    /** The texts of one split, in stream order, unbounded. */
    public Stream<String> texts(Split split) { return examples(split).map(this::text); }

    /** The first {@code n} training texts. */
    public List<String> train(int n) { return texts(Split.TRAIN).limit(requireCount(n)).toList(); }

    /** The first {@code n} held-out texts. */
    public List<String> heldOut(int n) { return texts(Split.HELD_OUT).limit(requireCount(n)).toList(); }

    /** The first {@code n} training texts as one text, each followed by the {@link #separator()}. */
    public String text(int n) {
        StringBuilder out = new StringBuilder();
        for (String example : train(n)) out.append(example).append(separator());
        return out.toString();
    }

    /**
     * The seed of example {@code index}: SplitMix64's output function applied to {@code seed} and to
     * {@code index} (Steele, Lea, Flood 2014), so nearby seeds and indices give unrelated generators.
     */
    public static long exampleSeed(long seed, long index) {
        return mix64(seed ^ mix64(index + 0x9E3779B97F4A7C15L));
    }

    /** SplitMix64's finalizer: a bijection on 64-bit values that mixes every input bit into every output bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A stable hash of a text: {@code String.hashCode} (fixed by its specification) mixed by {@link #mix64}. */
    static long hash(String text) { return mix64(text.hashCode() * 0x9E3779B97F4A7C15L); }

    private static int requireCount(int n) {
        if (n < 0) throw new IllegalArgumentException("a number of examples >= 0 expected, found " + n);
        return n;
    }
}
