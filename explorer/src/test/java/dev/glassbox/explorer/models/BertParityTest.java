package dev.glassbox.explorer.models;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Glassbox's BERT forward pass on the real all-MiniLM-L6-v2 against ONNX Runtime running the same file:
 * the last hidden state within 1e-4 everywhere, the sentence embedding at cosine >= 0.99999.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BertParityTest {
    private Bert bert;
    private OnnxRuntimeMiniLm reference;

    @BeforeAll
    void load() throws Exception {
        bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()));
        reference = new OnnxRuntimeMiniLm(1);
    }

    @AfterAll
    void close() throws Exception {
        bert.close();
        reference.close();
    }

    static List<String> sentences() {
        List<String> s = new ArrayList<>(List.of(
                "Hello world",
                "The cat sat on the mat.",
                "A quick brown fox jumps over the lazy dog!",
                "What's the capital of France? Paris, of course.",
                "Transformers use attention; RNNs use recurrence.",
                "Café au lait, naïve résumé, Ångström and façade.",
                "ÜBER-COOL: ŞİŞLİ, Ærøskøbing, Þórsmörk.",
                "東京は日本の首都です。",
                "机器学习很有趣",
                "Mixed 中文 and English words together.",
                "Numbers: 3.14159, 2,718, 1e-12 and 42%.",
                "The year 1969 and the date 2026-11-23.",
                "e-mail me at someone@example.com or visit https://example.org/path?q=1",
                "(((nested))) [brackets] {braces} <angles>",
                "!!!???...,,,;;;:::",
                "unbelievably antidisestablishmentarianism supercalifragilisticexpialidocious",
                "a",
                "I",
                "    leading and trailing spaces    ",
                "tabs\tand\nnewlines\r\nin text",
                "Emoji 😀 are not in the vocabulary 🚀🔥",
                "Привет, как дела?",
                "Γειά σου Κόσμε",
                "مرحبا بالعالم",
                "שלום עולם",
                "한국어 문장입니다",
                "Don't, won't, can't, shouldn't've.",
                "C++ and C# and F# are languages; so is Java 25.",
                "$100 + €200 = £300? ¥ and ₹ too.",
                "Open weights are not the same as open source: training data matters too."));
        s.add("The open model explains itself. ".repeat(40).trim());                           // long: ~250 tokens after truncation
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 300; i++) words.append("token").append(i % 17).append(i % 3 == 0 ? ", " : " ");
        s.add(words.toString());
        return s;
    }

    /** The tokens of {@code text}, cut to 256 (keeping [SEP] last), the length sentence-transformers uses. */
    private int[] tokens(String text) {
        int[] ids = bert.encode(text);
        if (ids.length <= 256) return ids;
        int[] cut = java.util.Arrays.copyOf(ids, 256);
        cut[255] = ids[ids.length - 1];
        return cut;
    }

    @ParameterizedTest
    @MethodSource("sentences")
    void lastHiddenStateMatchesOnnxRuntime(String text) throws Exception {
        int[] ids = tokens(text);
        float[][] expected = reference.lastHiddenState(ids);
        Transformer.Output ours = bert.run(ids);
        assertEquals(expected.length, ours.rows());
        double worst = 0;
        for (int i = 0; i < ours.rows(); i++) {
            for (int j = 0; j < ours.cols(); j++) worst = Math.max(worst, Math.abs(expected[i][j] - ours.get(i, j)));
        }
        assertTrue(worst <= 1e-4, "max abs difference " + worst + " over " + ids.length + " tokens of: " + text);

        float[] ourEmbedding = Bert.meanPooled(ours);
        float[] theirs = Bert.meanPooled(new Transformer.Output(flatten(expected), expected.length, expected[0].length));
        double cosine = 0;
        for (int j = 0; j < ourEmbedding.length; j++) cosine += (double) ourEmbedding[j] * theirs[j];
        assertTrue(cosine >= 0.99999, "cosine " + cosine + " for: " + text);
    }

    @Test
    void theLongInputsReallyAreLong() {
        List<String> s = sentences();
        assertEquals(256, tokens(s.get(s.size() - 1)).length);
        assertTrue(tokens(s.get(s.size() - 2)).length > 200);
    }

    @Test
    void theLastHiddenStateIsTheSameBitsOnOneTwoAndThreeThreads() {
        List<String> s = sentences();
        for (String text : List.of(s.get(0), s.get(s.size() - 1))) {            // 4 tokens: nothing split; 256: every kernel split
            int[] ids = tokens(text);
            int before = Kernels.threads();
            try {
                Kernels.setThreads(1);
                float[] one = bert.run(ids).values();
                for (int threads : new int[] {2, 3}) {
                    Kernels.setThreads(threads);
                    assertArrayEquals(one, bert.run(ids).values(), ids.length + " tokens on " + threads + " threads");
                }
            } finally {
                Kernels.setThreads(before);
            }
        }
    }

    @Test
    void similarSentencesAreCloserThanUnrelatedOnes() {
        float[] a = bert.embed("A man is playing a guitar.");
        float[] b = bert.embed("Someone plays an instrument.");
        float[] c = bert.embed("The stock market fell sharply today.");
        assertTrue(dot(a, b) > dot(a, c) + 0.2, "guitar/instrument " + dot(a, b) + " vs guitar/stocks " + dot(a, c));
        assertEquals(1.0, dot(a, a), 1e-5);
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static float[] flatten(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }
}
