package dev.glassbox.tinymodels.data;

import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Little stories from {@link StoryGrammar}, one style, as a dataset. Stories are separated by the end-of-text
 * token {@value #END_OF_TEXT}, so a model learns where a story ends.
 *
 * <p>Held out: (1) every story whose pair (hero's name, goal) is one of the held-out combinations, about one
 * pair in ten, chosen by a hash, so the training stories never show, say, Mia baking a cake, and the held-out
 * ones test whether the model composes a known name with a known goal it never saw together; and (2) any
 * other story whose text hashes to one bucket of ten. A training story is therefore never a held-out one.
 */
public final class Stories extends Dataset<Story> {
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** The seed of the shipped {@code tiny-stories}. */
    public static final long SEED = 20_240_603L;
    /** The seed of the sea stories, for fine-tuning. */
    public static final long SEA_SEED = 20_240_604L;

    private final StoryStyle style;

    public Stories(StoryStyle style, long seed) {
        super(seed);
        if (style == null) throw new IllegalArgumentException("a story style expected, found null");
        this.style = style;
    }

    /** The stories of the shipped {@code tiny-stories}. */
    public static Stories plain() { return new Stories(StoryStyle.PLAIN, SEED); }

    /** The same grammar set at sea, for fine-tuning. */
    public static Stories atSea() { return new Stories(StoryStyle.SEA, SEA_SEED); }

    public StoryStyle style() { return style; }

    @Override public String name() { return style == StoryStyle.PLAIN ? "stories" : "stories-" + style.name().toLowerCase(Locale.ROOT); }

    @Override public String separator() { return END_OF_TEXT; }

    @Override protected Story draw(Random random) { return StoryGrammar.story(style, random); }

    @Override protected boolean heldOut(Story story) {
        return heldOutCombination(story.hero(), story.goal()) || Math.floorMod(hash(story.text()), 10) == 0;
    }

    /** Whether the training split never pairs this hero with this goal. */
    public static boolean heldOutCombination(String hero, String goal) {
        return Math.floorMod(hash(hero + "|" + goal), 10) == 0;
    }

    @Override public String text(Story story) { return story.text(); }

    /** Every word a story can contain, lower case. */
    public Set<String> vocabulary() { return StoryGrammar.vocabulary(style); }

    @Override public String card(int trainingExamples) {
        long chars = texts(Split.TRAIN).limit(trainingExamples).mapToLong(String::length).sum();
        String setting = style == StoryStyle.PLAIN ? "in parks, gardens, forests and farms" : "by the sea (beaches, harbours, boats, sea creatures)";
        return "**Training data: generated little stories.** Stories " + setting + " from a grammar of "
                + vocabulary().size() + " words: a hero with a name and a pronoun kept through the story, a place, a goal,"
                + " a problem, a helper who fixes it, and a happy ending; each step is one of several sentence templates."
                + " The model saw the first " + trainingExamples + " training stories (" + String.format(Locale.ROOT, "%.1f", chars / 1e6)
                + " MB of text), separated by `" + END_OF_TEXT + "`, of the stream made by `" + getClass().getName()
                + "` with style " + style + " and seed " + seed() + " (`" + StoryGrammar.class.getName()
                + "`; story i from `java.util.Random` seeded with `Dataset.exampleSeed(seed, i)`)."
                + " Held out: about one (hero, goal) pair in ten never appears in training, and one other story in ten.";
    }
}
