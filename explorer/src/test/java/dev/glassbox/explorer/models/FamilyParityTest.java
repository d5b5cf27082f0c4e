package dev.glassbox.explorer.models;

import dev.glassbox.explorer.models.TinyCheckpoints.Gpt2Spec;
import dev.glassbox.explorer.models.TinyCheckpoints.LlamaSpec;
import dev.glassbox.explorer.models.reference.ReferenceGpt2;
import dev.glassbox.explorer.models.reference.ReferenceLlama;
import dev.glassbox.explorer.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production model families against the double-precision oracles in {@code models.reference}, on the
 * tiny checkpoints of {@link TinyCheckpoints}: logits within 1e-4 (max abs) at every position, and the same
 * greedy continuation.
 *
 */
class FamilyParityTest {
    static final double TOLERANCE = 1e-4;
    /** The prompts whose greedy steps lead by far more than the tolerance (see ReferenceTest). */
    static final int[] LLAMA_PROMPT = {1, 40, 75, 72, 79, 79, 82};
    static final int[] GPT2_PROMPT = {79, 40, 75, 72, 11, 50};

    @TempDir Path dir;

    /** Safetensors + config.json: grouped-query attention (default), one kv head per head, tied head. */
    @ParameterizedTest
    @ValueSource(strings = {"gqa", "mha", "tied"})
    void llamaFromSafetensorsMatchesTheReference(String variant) throws IOException {
        LlamaSpec spec = switch (variant) {
            case "gqa" -> LlamaSpec.DEFAULT;
            case "mha" -> LlamaSpec.DEFAULT.withKvHeads(4);
            default -> LlamaSpec.DEFAULT.withTiedEmbeddings(true);
        };
        Path model = TinyCheckpoints.llama(dir, spec);
        ReferenceLlama reference = ReferenceLlama.fromSafetensors(model);
        Decoder llama = Llama.load(model);
        assertLogitsMatch(reference.logits(sequence(48, spec.vocab())), llama.logits(sequence(48, spec.vocab())), spec.vocab());
        assertArrayEquals(continuation(reference.greedy(LLAMA_PROMPT, 8), LLAMA_PROMPT), llama.greedy(LLAMA_PROMPT, 8));
    }

    /**
     * GGUF exports: the production loader must handle llama.cpp's permuted Q/K rows (with the kv head count
     * for K). Compared with the oracle reading the same GGUF file, so both see the same dequantized weights;
     * an implementation that multiplies by quantized activations (as llama.cpp does) would need a looser
     * bound for Q8_0/Q4_0.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "Q8_0", "Q4_0"})
    void llamaFromGgufMatchesTheReference(DType type) throws IOException {
        Path model = TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT);
        Path gguf = TinyCheckpoints.llamaGguf(model, type);
        ReferenceLlama reference = ReferenceLlama.fromGguf(gguf);
        Decoder llama = Llama.load(gguf);
        int[] tokens = sequence(48, 96);
        assertLogitsMatch(reference.logits(tokens), llama.logits(tokens), 96);
        if (type != DType.Q4_0) assertArrayEquals(continuation(reference.greedy(LLAMA_PROMPT, 8), LLAMA_PROMPT), llama.greedy(LLAMA_PROMPT, 8));
    }

    /** The F32 GGUF and the safetensors checkpoint are one model: same logits from the production loader. */
    @Test
    void llamaGgufF32AndSafetensorsAgree() throws IOException {
        Path model = TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT);
        int[] tokens = sequence(48, 96);
        float[] fromSafetensors = Llama.load(model).logits(tokens);
        float[] fromGguf = Llama.load(TinyCheckpoints.llamaGguf(model, DType.F32)).logits(tokens);
        assertEquals(fromSafetensors.length, fromGguf.length);
        for (int i = 0; i < fromGguf.length; i++) {
            assertEquals(fromSafetensors[i], fromGguf[i], TOLERANCE, "logit " + i);
        }
    }

    /** The acceptance case: the Q8_0 GGUF continues the test prompt exactly as its F32 source does. */
    @Test
    void q8GgufGreedyContinuationEqualsTheF32Source() throws IOException {
        Path model = TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT);
        Decoder source = Llama.load(model);
        Decoder q8 = Llama.load(TinyCheckpoints.llamaGguf(model, DType.Q8_0));
        assertArrayEquals(source.greedy(LLAMA_PROMPT, 8), q8.greedy(LLAMA_PROMPT, 8));
        assertTrue(java.util.Arrays.stream(source.greedy(LLAMA_PROMPT, 8)).distinct().count() > 2, "a continuation, not one token repeated");
    }

    @Test
    void gpt2MatchesTheReference() throws IOException {
        Path model = TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT);
        ReferenceGpt2 reference = ReferenceGpt2.load(model);
        Decoder gpt2 = Gpt2.load(model);
        int[] tokens = sequence(48, 80);
        assertLogitsMatch(reference.logits(tokens), gpt2.logits(tokens), 80);
        assertArrayEquals(continuation(reference.greedy(GPT2_PROMPT, 8), GPT2_PROMPT), gpt2.greedy(GPT2_PROMPT, 8));
    }

    /** One position and the full context length, the edges of the causal mask and of the position tables. */
    @Test
    void edgeLengthsMatchTheReference() throws IOException {
        Path llamaDir = TinyCheckpoints.llama(dir.resolve("llama"), LlamaSpec.DEFAULT);
        Path gpt2Dir = TinyCheckpoints.gpt2(dir.resolve("gpt2"), Gpt2Spec.DEFAULT);
        for (int n : new int[] {1, 64}) {
            assertLogitsMatch(ReferenceLlama.fromSafetensors(llamaDir).logits(sequence(n, 96)), Llama.load(llamaDir).logits(sequence(n, 96)), 96);
            assertLogitsMatch(ReferenceGpt2.load(gpt2Dir).logits(sequence(n, 80)), Gpt2.load(gpt2Dir).logits(sequence(n, 80)), 80);
        }
    }

    /** expected (seq, vocab) against actual (seq * vocab) row-major, max abs difference at most TOLERANCE. */
    static void assertLogitsMatch(double[][] expected, float[] actual, int vocab) {
        assertEquals(expected.length * vocab, actual.length, "logits length (seq * vocab)");
        double worst = 0;
        int at = -1;
        for (int t = 0; t < expected.length; t++) {
            for (int v = 0; v < vocab; v++) {
                double diff = Math.abs(expected[t][v] - actual[t * vocab + v]);
                if (diff > worst) { worst = diff; at = t * vocab + v; }
            }
        }
        assertTrue(worst <= TOLERANCE, "max |logit - reference| = " + worst + " at position " + (at / vocab) + ", token " + (at % vocab));
    }

    /** The oracle's greedy result is prompt + continuation; the families return the continuation only. */
    static int[] continuation(int[] promptAndContinuation, int[] prompt) {
        return java.util.Arrays.copyOfRange(promptAndContinuation, prompt.length, promptAndContinuation.length);
    }

    /** n token ids in [3, vocab), a fixed pseudo-random walk. */
    static int[] sequence(int n, int vocab) {
        int[] tokens = new int[n];
        for (int t = 0; t < n; t++) tokens[t] = 3 + Math.floorMod(7 * 31 + t * 17 + t * t * 7, vocab - 3);
        return tokens;
    }
}
