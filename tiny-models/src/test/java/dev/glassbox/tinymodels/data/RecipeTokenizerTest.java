package dev.glassbox.tinymodels.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.glassbox.explorer.tokenizers.BpeTrainer;
import dev.glassbox.explorer.tokenizers.BpeVocabulary;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecipeTokenizerTest {
    @TempDir static Path dir;
    private static BpeVocabulary stories;
    private static Path storiesFile;

    @BeforeAll
    static void train() throws IOException {
        long start = System.nanoTime();
        storiesFile = RecipeTokenizer.TINY_STORIES.write(dir.resolve("tiny-stories"));
        System.out.printf("story tokenizer trained and written in %.2f s%n", (System.nanoTime() - start) / 1e9);
        stories = RecipeTokenizer.TINY_STORIES.vocabulary();
    }

    @Test
    void theStoryTokenizerLearnsReadableMergesAndMostWordsAreOneToken() throws IOException {
        assertEquals(RecipeTokenizer.STORY_VOCAB_SIZE, stories.tokens().size());
        List<String> first = BpeTrainer.describe(stories, 20);
        System.out.println("first 20 merges of the story tokenizer:");
        first.forEach(m -> System.out.println("  " + m));
        // the most frequent pair of the stories: a space before a word's first letter or a common two-letter pair
        assertTrue(stories.merges().getFirst().left().startsWith("Ġ") || stories.merges().getFirst().left().length() == 1, first.toString());
        Tokenizer tokenizer = Tokenizer.fromFile(storiesFile);
        for (String word : List.of(" the", " was", " and", " said", " wanted", " help", " friends")) {
            assertEquals(1, tokenizer.encode(word).ids().length, word + " is one token");
        }
        long words = 0, tokens = 0;
        for (String story : Stories.plain().heldOut(300)) {
            words += Pattern.compile("[A-Za-z]+").matcher(story).results().count();
            tokens += tokenizer.encode(story).ids().length;
        }
        double perWord = (double) tokens / words;
        System.out.printf("held-out stories: %.3f tokens per word (punctuation included)%n", perWord);
        assertTrue(perWord < 1.4, "most words are one token: " + perWord + " tokens per word");
    }

    @Test
    void huggingFaceTokenizersGiveTheSameIdsOnHeldOutStories() throws IOException {
        Tokenizer glassbox = Tokenizer.fromFile(storiesFile);
        List<String> texts = Stories.plain().heldOut(300);
        String sea = Stories.atSea().heldOut(1).getFirst();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(storiesFile,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "1000000"))) {
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i) + Stories.END_OF_TEXT + sea;
                int[] ids = glassbox.encode(text).ids();
                assertArrayEquals(hf.encode(text).getIds(), Arrays.stream(ids).asLongStream().toArray(), text);
                assertEquals(text.replace(Stories.END_OF_TEXT, ""), glassbox.decode(ids));
            }
        }
    }

    @Test
    void theByteTokenizersMakeEveryCharacterOneToken() throws IOException {
        for (RecipeTokenizer recipe : List.of(RecipeTokenizer.SORTER, RecipeTokenizer.INDUCTION)) {
            Tokenizer tokenizer = Tokenizer.fromFile(recipe.write(dir.resolve(recipe.name())));
            boolean induction = recipe == RecipeTokenizer.INDUCTION;
            assertEquals(induction ? RepeatedSequences.ALPHABET_SIZE + 3 : 257, tokenizer.vocabSize());
            Dataset<?> data = induction ? new RepeatedSequences(RepeatedSequences.SEED) : new SortingLists(SortingLists.SEED);
            for (String text : data.train(100)) {
                int[] expected = text.chars().map(c -> induction ? RepeatedSequences.ALPHABET.indexOf(c) : c).toArray();
                assertArrayEquals(expected, tokenizer.encode(text).ids(), text);
            }
            assertEquals(Stories.END_OF_TEXT, tokenizer.token(recipe.endOfText()));
        }
    }

    @Test
    void theInductionTokenizerRefusesSymbolsOutsideItsAlphabet() throws IOException {
        Tokenizer tokenizer = Tokenizer.fromFile(RecipeTokenizer.INDUCTION.write(dir.resolve("induction-only")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("AB-C"));
        assertTrue(e.getMessage().contains("not in the vocabulary"), e.getMessage());
    }

    @Test
    void theFilesAreTheSameBytesEveryTime() throws IOException {
        assertArrayEquals(Files.readAllBytes(storiesFile), RecipeTokenizer.TINY_STORIES.vocabulary().toTokenizerJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
