package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.models.Activation;
import dev.glassbox.explorer.models.HookName;
import dev.glassbox.explorer.models.Hooks;
import dev.glassbox.explorer.models.Llama;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.SortingLists;
import dev.glassbox.tinymodels.data.Split;
import dev.glassbox.tinymodels.data.Stories;
import dev.glassbox.tinymodels.data.StoryCheck;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped trained models do what their cards say, on held-out data they never saw, run through the catalog and
 * Glassbox's inference code ({@link Llama}), not the trainer.
 */
class ShippedRecipesQualityTest {
    @TempDir
    static Path dir;
    static ModelCatalog catalog;

    @BeforeAll
    static void prepare() throws Exception {
        catalog = ModelCatalog.load(dir.resolve("models"), null);
    }

    private static Llama open(Recipe recipe) throws Exception {
        return (Llama) catalog.find(recipe.id()).orElseThrow().load();
    }

    @Test
    void sorterSortsHeldOutListsExactly() throws Exception {
        List<String> lists = new SortingLists(SortingLists.SEED).heldOut(500);
        int right = 0;
        String firstWrong = null;
        try (Llama model = open(Recipe.SORTER)) {
            for (String text : lists) {
                String list = text.substring(0, text.indexOf('>'));
                int[] prompt = model.tokenizer().encode(list + ">", false).ids();
                String answer = model.tokenizer().decode(model.greedy(prompt, list.length() + 1));
                if (answer.equals(SortingLists.sorted(list) + ".")) right++;
                else if (firstWrong == null) firstWrong = list + ">" + answer;
            }
        }
        double accuracy = (double) right / lists.size();
        System.out.printf("sorter: exact-sequence accuracy %.4f on %d held-out lists (first wrong: %s)%n", accuracy, lists.size(), firstWrong);
        assertTrue(accuracy >= 0.99, "exact-sequence accuracy >= 0.99 expected, found " + accuracy + "; e.g. " + firstWrong);
    }

    /** Layer 1's induction score per head and the held-out losses on the first occurrence and on the repeat. */
    record InductionMeasure(double[] scores, double firstLoss, double repeatLoss) {}

    /**
     * On 100 held-out sequences: a head's induction score is its mean attention, from each query of the repeats that
     * predicts a copyable symbol, to the keys right after earlier occurrences of the query's symbol
     * ({@code Sequence.isInductionKey}), read from {@code blocks.1.attn.hook_pattern}; the losses are the mean
     * next-symbol losses on the first period and on the repeats.
     */
    static InductionMeasure measureInduction(Llama model) {
        List<RepeatedSequences.Sequence> sequences = new RepeatedSequences(RepeatedSequences.SEED).examples(Split.HELD_OUT).limit(100).toList();
        int heads = model.architecture().heads();
        double[] score = new double[heads];
        double first = 0, repeated = 0;
        int firstCount = 0, repeatedCount = 0;
        for (RepeatedSequences.Sequence sequence : sequences) {
            int[] tokens = model.tokenizer().encode(sequence.text(), false).ids();
            float[][] pattern = new float[1][];
            Hooks hooks = Hooks.none().with(HookName.block(1, HookName.InBlock.PATTERN), (Activation a) -> pattern[0] = a.values());
            Transformer.Output out = model.run(tokens, hooks);
            int s = tokens.length;
            for (int h = 0; h < heads; h++) {                                   // pattern is (heads, s, s)
                double sum = 0;
                int count = 0;
                for (int q = 0; q < s; q++) {
                    if (!sequence.copyable(q)) continue;
                    for (int k = 1; k <= q; k++) if (sequence.isInductionKey(q, k)) sum += pattern[0][(h * s + q) * s + k];
                    count++;
                }
                score[h] += sum / count / sequences.size();
            }
            for (int q = 0; q + 1 < s; q++) {
                double loss = crossEntropy(out.row(q), tokens[q + 1]);
                if (sequence.firstOccurrence(q)) { first += loss; firstCount++; }
                else if (sequence.copyable(q)) { repeated += loss; repeatedCount++; }
            }
        }
        return new InductionMeasure(score, first / firstCount, repeated / repeatedCount);
    }

    @Test
    void inductionCopiesTheRepeat() throws Exception {
        try (Llama model = open(Recipe.INDUCTION)) {
            InductionMeasure m = measureInduction(model);
            System.out.printf("induction-2l: layer-1 induction scores %s; loss first occurrence %.4f, repeat %.4f%n",
                    Arrays.toString(Arrays.stream(m.scores()).map(x -> Math.round(x * 1000) / 1000.0).toArray()), m.firstLoss(), m.repeatLoss());
            assertTrue(m.repeatLoss() <= m.firstLoss() / 4, "loss on the repeat <= a quarter of the first occurrence's expected, found "
                    + m.repeatLoss() + " against " + m.firstLoss());
        }
    }

    @Test
    void inductionHasALayerOneHeadWithInductionScoreAtLeastHalf() throws Exception {
        try (Llama model = open(Recipe.INDUCTION)) {
            double[] score = measureInduction(model).scores();
            assertTrue(Arrays.stream(score).max().orElseThrow() >= 0.5, "a layer-1 head with induction score >= 0.5 expected, found " + Arrays.toString(score));
        }
    }

    @Test
    void tinyStoriesContinuesHeldOutOpeningsWithKnownWordsAndWholeSentences() throws Exception {
        Stories stories = Stories.plain();
        Set<String> vocabulary = stories.vocabulary();
        List<String> heldOut = stories.heldOut(10);
        try (Llama model = open(Recipe.TINY_STORIES)) {
            int context = model.architecture().context();
            double loss = 0;
            int counted = 0, keptHero = 0;
            for (String story : heldOut) {
                // the opening: the first sentence and the first three words of the next
                int end = story.indexOf(". ") + 2;
                String opening = story.substring(0, story.indexOf(' ', story.indexOf(' ', story.indexOf(' ', end) + 1) + 1));
                int[] prompt = model.tokenizer().encode(Stories.END_OF_TEXT + opening, false).ids();
                int[] generated = model.greedy(prompt, context - prompt.length);
                int stop = indexOf(generated, RecipeTokenizer.TINY_STORIES.endOfText());
                String text = opening + model.tokenizer().decode(Arrays.copyOf(generated, stop < 0 ? generated.length : stop));
                String whole = text.substring(0, Math.max(text.lastIndexOf('.'), Math.max(text.lastIndexOf('!'), text.lastIndexOf('?'))) + 1);
                System.out.println("tiny-stories: " + text);
                assertTrue(StoryCheck.unknownWords(text, vocabulary).isEmpty(), "only known words expected, found "
                        + StoryCheck.unknownWords(text, vocabulary) + " in: " + text);
                List<String> sentences = StoryCheck.sentences(whole);
                assertNotNull(sentences, "whole sentences expected: " + whole);
                assertTrue(sentences.size() >= 4, "at least 4 sentences expected: " + whole);
                // a consistent character: the continuation goes on with the opening's hero, and the pronouns agree with them
                String hero = StoryCheck.hero(opening);
                if (hero != null && text.substring(opening.length()).contains(hero) && StoryCheck.pronounsAgree(whole)) keptHero++;

                int[] tokens = model.tokenizer().encode(Stories.END_OF_TEXT + story, false).ids();
                tokens = Arrays.copyOf(tokens, Math.min(tokens.length, context));
                Transformer.Output out = model.run(tokens, Hooks.none());
                for (int i = 0; i + 1 < tokens.length; i++, counted++) loss += crossEntropy(out.row(i), tokens[i + 1]);
            }
            System.out.printf("tiny-stories: held-out loss %.4f, perplexity %.3f over %d tokens of 10 held-out stories;"
                    + " %d of 10 continuations keep the opening's hero%n", loss / counted, Math.exp(loss / counted), counted, keptHero);
            assertTrue(keptHero >= 8, "at least 8 of 10 continuations keep the opening's hero and their pronouns, found " + keptHero);
        }
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        return -1;
    }

    static double crossEntropy(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        return Math.log(sum) + max - logits[target];
    }
}
