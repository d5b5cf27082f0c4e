package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.training.Batch;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.SortingLists;
import dev.glassbox.tinymodels.data.Split;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What each recipe trains on: which tokens are scored, and that step i's batch does not depend on what came before. */
class RecipeBatchesTest {
    @Test
    void theSorterIsScoredOnlyOnItsAnswer() {
        RecipeBatches batches = new RecipeBatches(Recipe.SORTER, new SortingLists(SortingLists.SEED), 4, 18);
        Batch b = batches.next(0);
        String first = new SortingLists(SortingLists.SEED).train(1).getFirst();       // e.g. 52917>12579.
        int arrow = first.indexOf('>');
        for (int i = 0; i < 18; i++) {
            int expected = i >= arrow && i + 1 < first.length() ? first.charAt(i + 1) : -1;
            assertEquals(expected, b.targets()[i], "target of position " + i + " of " + first);
            assertEquals(i < first.length() ? first.charAt(i) : RecipeTokenizer.SORTER.endOfText(), b.tokens()[i]);
        }
    }

    @Test
    void inductionIsScoredOnlyOnTheRepeat() {
        RecipeBatches batches = new RecipeBatches(Recipe.INDUCTION, new RepeatedSequences(RepeatedSequences.SEED), 2, RepeatedSequences.LENGTH);
        Batch b = batches.next(0);
        List<RepeatedSequences.Sequence> first = new RepeatedSequences(RepeatedSequences.SEED).examples(Split.TRAIN).limit(2).toList();
        int s = RepeatedSequences.LENGTH;
        for (int r = 0; r < 2; r++) {
            RepeatedSequences.Sequence sequence = first.get(r);
            int scored = 0;
            for (int i = 0; i < s; i++) {
                assertEquals(RepeatedSequences.ALPHABET.indexOf(sequence.text().charAt(i)), b.tokens()[r * s + i], "one token per symbol, its place in the alphabet");
                int expected = sequence.copyable(i) ? RepeatedSequences.ALPHABET.indexOf(sequence.text().charAt(i + 1)) : -1;
                assertEquals(expected, b.targets()[r * s + i], "target of position " + i + " of " + sequence);
                if (expected >= 0) scored++;
            }
            assertEquals(RepeatedSequences.LENGTH - sequence.period() - 1, scored);
        }
    }

    @Test
    void aStepsBatchDependsOnlyOnTheSeedAndTheStep() {
        for (Recipe recipe : Recipe.values()) {
            RecipeSettings s = recipe.quick();
            RecipeBatches inOrder = new RecipeBatches(recipe, recipe.dataset(s.seed()), s.batch(), s.seqLen());
            for (int step = 0; step < 5; step++) inOrder.next(step);
            Batch fifth = inOrder.next(5);
            Batch direct = new RecipeBatches(recipe, recipe.dataset(s.seed()), s.batch(), s.seqLen()).next(5);
            assertArrayEquals(fifth.tokens(), direct.tokens(), recipe.id());
            assertArrayEquals(fifth.targets(), direct.targets(), recipe.id());
        }
    }

    @Test
    void storiesArePackedWindowsJoinedByEndOfText() {
        RecipeBatches batches = new RecipeBatches(Recipe.TINY_STORIES, Recipe.TINY_STORIES.dataset(20_240_603L), 2, 64);
        Batch b = batches.next(0);
        List<String> first = Recipe.TINY_STORIES.dataset(20_240_603L).texts(Split.TRAIN).limit(1).toList();
        int[] ids = Recipe.TINY_STORIES.tokenizer().encode(first.getFirst(), false).ids();
        for (int i = 0; i < 64 && i < ids.length; i++) assertEquals(ids[i], b.tokens()[i]);
        for (int i = 0; i + 1 < 128; i++) if (i % 64 != 63) assertEquals(b.tokens()[i + 1], b.targets()[i], "targets are the next tokens");
        assertEquals(b.tokens()[64], b.targets()[63], "a window's last target is the next window's first token");
    }
}
