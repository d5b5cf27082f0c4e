package dev.glassbox.explorer.tokenizers;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BPE trainer against a naive re-implementation of the same algorithm, against Glassbox's own byte-level
 * BPE tokenizer (the written file must load and round-trip), and against Hugging Face's tokenizers (the
 * written file must load there and give the same ids).
 */
class BpeTrainerTest {
    private static final String EOT = "<|endoftext|>";
    @TempDir Path dir;

    /** Lower-case words from a few syllables, single spaces: the pieces are the words, with their space. */
    private static List<String> plainCorpus(int documents, long seed) {
        String[] syllables = {"ka", "to", "ri", "na", "mo", "la", "pe", "su", "the", "and", "ing", "er"};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            StringBuilder doc = new StringBuilder();
            int words = 5 + random.nextInt(30);
            for (int w = 0; w < words; w++) {
                if (w > 0) doc.append(' ');
                int n = 1 + random.nextInt(3);
                for (int s = 0; s < n; s++) doc.append(syllables[Math.min(random.nextInt(syllables.length), random.nextInt(syllables.length))]);
            }
            out.add(doc.toString());
        }
        return out;
    }

    /** Text that exercises the byte level: capitals, digits, punctuation, contractions, runs of spaces, newlines, accents, CJK, emoji, tabs. */
    private static List<String> mixedCorpus(int documents, long seed) {
        String[] words = {"The", "the", "cat", "sat", "on", "mat", "it's", "we'll", "don't", "café", "naïve", "über", "日本", "語",
                "🙂", "42", "2024", "3.14", "hello", "world", "Hello", ",", ".", "!", "?", "\"", "(", ")", "--", "x_y", "a\tb"};
        String[] gaps = {" ", " ", " ", " ", "  ", "\n", "\n\n", " \n", "   "};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            StringBuilder doc = new StringBuilder();
            int n = 10 + random.nextInt(60);
            for (int i = 0; i < n; i++) {
                doc.append(words[random.nextInt(words.length)]);
                if (i + 1 < n) doc.append(gaps[random.nextInt(gaps.length)]);
            }
            out.add(doc.toString());
        }
        return out;
    }

    /**
     * The same training, written the slow and obvious way: recount every pair of every word occurrence after
     * each merge, pick the highest count, ties to the smaller left then right string.
     */
    private static List<TokenizerJson.Merge> naiveMerges(List<String> documents, int merges) {
        List<List<String>> words = new ArrayList<>();
        for (String doc : documents) {
            String[] parts = doc.split(" ");
            for (int i = 0; i < parts.length; i++) {
                List<String> symbols = new ArrayList<>();
                if (i > 0) symbols.add("Ġ");
                for (char c : parts[i].toCharArray()) symbols.add(String.valueOf(c));
                words.add(symbols);
            }
        }
        List<TokenizerJson.Merge> out = new ArrayList<>();
        for (int k = 0; k < merges; k++) {
            Map<List<String>, Integer> counts = new HashMap<>();
            for (List<String> w : words) for (int i = 0; i + 1 < w.size(); i++) counts.merge(List.of(w.get(i), w.get(i + 1)), 1, Integer::sum);
            List<String> best = null;
            for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
                if (best == null || e.getValue() > counts.get(best) || (e.getValue().equals(counts.get(best))
                        && (e.getKey().get(0).compareTo(best.get(0)) < 0
                        || (e.getKey().get(0).equals(best.get(0)) && e.getKey().get(1).compareTo(best.get(1)) < 0)))) {
                    best = e.getKey();
                }
            }
            out.add(new TokenizerJson.Merge(best.get(0), best.get(1)));
            for (List<String> w : words) {
                for (int i = 0; i + 1 < w.size(); i++) {
                    if (w.get(i).equals(best.get(0)) && w.get(i + 1).equals(best.get(1))) {
                        w.set(i, best.get(0) + best.get(1));
                        w.remove(i + 1);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theMergesAreTheMostFrequentPairsInTurn() {
        List<String> corpus = plainCorpus(300, 1);
        BpeVocabulary v = BpeTrainer.train(corpus, 256 + 1 + 40, List.of(EOT));
        assertEquals(naiveMerges(corpus, 40), v.merges());
        assertEquals(297, v.tokens().size());
        assertEquals(EOT, v.tokens().get(256));
        for (int k = 0; k < 40; k++) assertEquals(v.merges().get(k).left() + v.merges().get(k).right(), v.tokens().get(257 + k));
        System.out.println("first merges of the syllable corpus: " + BpeTrainer.describe(v, 10));
    }

    @Test
    void theWrittenFileLoadsAndRoundTrips() throws IOException {
        List<String> corpus = mixedCorpus(300, 2);
        BpeVocabulary v = BpeTrainer.train(corpus, 600, List.of(EOT));
        Tokenizer tokenizer = Tokenizer.fromFile(v.write(dir.resolve("tokenizer.json")));
        assertEquals(v.tokens().size(), tokenizer.vocabSize());
        assertTrue(v.tokens().size() < 600, "training stops when no pair occurs twice: every piece of this corpus is then one token");
        assertEquals("BPE (byte-level)", tokenizer.kind());
        long bytes = 0, tokens = 0;
        for (String doc : mixedCorpus(100, 3)) {
            String text = doc + EOT + doc;
            int[] ids = tokenizer.encode(text).ids();
            assertEquals(doc + doc, tokenizer.decode(ids), "decoding skips the special token and gives the text back");
            assertEquals(1, java.util.Arrays.stream(ids).filter(id -> id == 256).count(), "the end-of-text token is one token");
            bytes += text.getBytes(StandardCharsets.UTF_8).length;
            tokens += ids.length;
        }
        assertTrue(tokens < bytes / 2, "merges compress the text: " + tokens + " tokens for " + bytes + " bytes");
    }

    @Test
    void huggingFaceTokenizersReadTheFileAndGiveTheSameIds() throws IOException {
        List<String> corpus = mixedCorpus(300, 4);
        for (int size : new int[] {290, 320, 700}) {                  // pieces still split, mostly whole, all whole
            Path file = BpeTrainer.train(corpus, size, List.of(EOT)).write(dir.resolve("tokenizer-" + size + ".json"));
            assertSameIds(file, mixedCorpus(300, 5));
        }
    }

    @Test
    void zeroMergesMakeOneTokenPerByte() throws IOException {
        BpeVocabulary v = BpeTrainer.bytesOnly(List.of(EOT));
        assertEquals(257, v.tokens().size());
        assertEquals(List.of(), v.merges());
        Path file = v.write(dir.resolve("tokenizer.json"));
        Tokenizer tokenizer = Tokenizer.fromFile(file);
        int[] ids = tokenizer.encode("52917>12579." + EOT + "ab").ids();
        assertArrayEquals(new int[] {'5', '2', '9', '1', '7', '>', '1', '2', '5', '7', '9', '.', 256, 'a', 'b'}, ids);
        assertEquals("café", tokenizer.decode(tokenizer.encode("café").ids()));
        assertEquals(5, tokenizer.encode("café").ids().length, "é is two bytes, two tokens");
        assertSameIds(file, mixedCorpus(50, 6));
    }

    @Test
    void trainingIsDeterministicAndIndependentOfDocumentOrder() {
        List<String> corpus = mixedCorpus(200, 7);
        String a = BpeTrainer.train(corpus, 500, List.of(EOT)).toTokenizerJson();
        assertEquals(a, BpeTrainer.train(mixedCorpus(200, 7), 500, List.of(EOT)).toTokenizerJson());
        List<String> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(8));
        assertEquals(a, BpeTrainer.train(shuffled, 500, List.of(EOT)).toTokenizerJson(), "pair counts do not depend on order");
        assertTrue(a.endsWith("\n  }\n}\n") && !a.contains("\r"));
    }

    @Test
    void specialTokensAreNeverMergedIntoText() {
        // "<|endoftext|>" 500 times: its letters would be the most frequent pairs if they were not cut out first
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 500; i++) corpus.add("ab" + EOT);
        BpeVocabulary v = BpeTrainer.train(corpus, 300, List.of(EOT));
        assertEquals(List.of(new TokenizerJson.Merge("a", "b")), v.merges(), "only a+b occurs twice outside the special token");
    }

    @Test
    void aVocabularyTooSmallForTheBytesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("x"), 200, List.of(EOT)));
        assertTrue(e.getMessage().contains("257") && e.getMessage().contains("200"), e.getMessage());
    }

    /** Hugging Face's tokenizers and Glassbox give the same ids for every text, special tokens included. */
    static void assertSameIds(Path tokenizerJson, List<String> texts) throws IOException {
        Tokenizer glassbox = Tokenizer.fromFile(tokenizerJson);
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false", "modelMaxLength", "1000000"))) {
            for (int i = 0; i < texts.size(); i++) {
                String text = i % 3 == 0 ? texts.get(i) + EOT + texts.get((i + 1) % texts.size()) : texts.get(i);
                long[] expected = hf.encode(text).getIds();
                int[] ids = glassbox.encode(text).ids();
                assertArrayEquals(expected, java.util.Arrays.stream(ids).asLongStream().toArray(), "ids of " + text);
            }
        }
        assertTrue(Files.size(tokenizerJson) > 0);
    }
}
