package dev.glassbox.explorer.models.reference;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.models.TinyCheckpoints;
import dev.glassbox.explorer.models.TinyCheckpoints.Gpt2Spec;
import dev.glassbox.explorer.models.TinyCheckpoints.LlamaSpec;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tests of the oracles themselves: the two Llama file layouts agree, hand-computed cases, causality. */
class ReferenceTest {
    /**
     * The fixed prompt of the Llama greedy tests: BOS and six tokens. Its 8 greedy steps under the default
     * checkpoint all lead by more than 4x the Q8_0 change; other prompts can have a close step (the one for
     * "Hello", {1, 43, 72, 79, 79, 82}, leads by 0.16 against a 0.10 change at its first step).
     */
    static final int[] PROMPT = {1, 40, 75, 72, 79, 79, 82};
    /** The fixed prompt of the GPT-2 greedy test: its BOS (the last id, as in GPT-2) and five tokens. */
    static final int[] GPT2_PROMPT = {79, 40, 75, 72, 11, 50};

    @TempDir Path dir;

    // ---------------------------------------------------------------- Llama: safetensors vs GGUF

    /**
     * The F32 GGUF export computes the same function: attn_q/attn_k rows permuted by the converter plus RoPE on
     * adjacent pairs equals the original rows plus rotate_half. Covered with grouped-query attention (the
     * default, where K is permuted with the kv head count), with as many kv heads as heads, and with a tied head.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gqa", "mha", "tied"})
    void ggufF32ExportGivesTheSafetensorsLogits(String variant) throws IOException {
        LlamaSpec spec = switch (variant) {
            case "gqa" -> LlamaSpec.DEFAULT;
            case "mha" -> LlamaSpec.DEFAULT.withKvHeads(4);
            default -> LlamaSpec.DEFAULT.withTiedEmbeddings(true);
        };
        Path model = TinyCheckpoints.llama(dir, spec);
        ReferenceLlama hf = ReferenceLlama.fromSafetensors(model);
        ReferenceLlama gguf = ReferenceLlama.fromGguf(TinyCheckpoints.llamaGguf(model, DType.F32));
        assertEquals(ReferenceLlama.Rope.HALVES, hf.rope());
        assertEquals(ReferenceLlama.Rope.PAIRS, gguf.rope());
        assertEquals(hf.config().kvHeads(), gguf.config().kvHeads());
        int[] tokens = sequence(48, spec.vocab(), 7);       // positions up to 47: the slow RoPE frequencies turn too
        double diff = maxAbsDiff(hf.logits(tokens), gguf.logits(tokens));
        assertTrue(diff <= 1e-4, variant + ": GGUF F32 logits differ from safetensors by " + diff);
    }

    /** The test above can fail: without the permutation, RoPE on adjacent pairs mixes the wrong components. */
    @Test
    void withoutThePermutationTheGgufLogitsDiffer() throws IOException {
        Path model = TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT);
        Path permuted = TinyCheckpoints.llamaGguf(model, DType.F32);
        Path unpermuted = dir.resolve("unpermuted.gguf");
        try (ModelFile gguf = ModelFiles.open(permuted); ModelFile hf = ModelFiles.open(model.resolve("model.safetensors"))) {
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            gguf.metadata().forEach((k, v) -> metadata.put(k, (GgufValue) v));
            List<Tensor> tensors = new ArrayList<>();
            for (Tensor t : hf.tensors()) tensors.add(t.withName(TinyCheckpoints.ggufName(t.name())));
            GgufWriter.write(unpermuted, metadata, tensors);
        }
        int[] tokens = sequence(16, 96, 3);
        double diff = maxAbsDiff(ReferenceLlama.fromSafetensors(model).logits(tokens), ReferenceLlama.fromGguf(unpermuted).logits(tokens));
        assertTrue(diff > 0.1, "unpermuted Q/K should change the logits, max difference " + diff);
    }

    /**
     * Q8_0 rounding moves the logits by ~1% of their spread; greedy decoding survives it because every step's
     * lead (top logit minus runner-up, under F32) is more than twice the largest logit change Q8_0 causes at
     * that step, so no rounding can swap the two. This test asserts that margin, not just the outcome, so a
     * change of weights that makes the agreement a coin toss fails here with the numbers.
     */
    @Test
    void q8_0ExportKeepsTheGreedyContinuation() throws IOException {
        Path model = TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT);
        ReferenceLlama f32 = ReferenceLlama.fromGguf(TinyCheckpoints.llamaGguf(model, DType.F32));
        ReferenceLlama q8 = ReferenceLlama.fromGguf(TinyCheckpoints.llamaGguf(model, DType.Q8_0));
        int[] greedy = f32.greedy(PROMPT, 8);
        assertArrayEquals(greedy, q8.greedy(PROMPT, 8), "Q8_0 greedy continuation");

        double[][] exact = f32.logits(greedy), rounded = q8.logits(greedy);
        StringBuilder report = new StringBuilder();
        int notSuccessor = 0;
        for (int t = PROMPT.length - 1; t < greedy.length - 1; t++) {
            double[] row = exact[t].clone();
            Arrays.sort(row);
            double lead = row[row.length - 1] - row[row.length - 2];
            double change = maxAbsDiff(new double[][] {exact[t]}, new double[][] {rounded[t]});
            report.append(String.format("step %d: token %d lead %.3f Q8_0 change %.3f%n", t - PROMPT.length + 1, greedy[t + 1], lead, change));
            assertTrue(lead > 2 * change, "greedy step " + (t - PROMPT.length + 1) + " is not robust to Q8_0:\n" + report);
            if (greedy[t + 1] != (greedy[t] + 1) % 96) notSuccessor++;
        }
        // The planted "t -> t + 1" habit of the head does not decide everything: the context does too.
        assertTrue(notSuccessor >= 2, "greedy steps that follow the context rather than the habit: " + notSuccessor + "\n" + report);
        // Logits are far from flat: their spread over the vocabulary is a few units.
        assertTrue(standardDeviation(exact[greedy.length - 1]) > 1.5, "logit spread " + standardDeviation(exact[greedy.length - 1]));
    }

    // ---------------------------------------------------------------- by hand

    /**
     * A 1-layer GPT-2 (n_embd 4, 2 heads, vocab 3, 2 positions, eps 1e-5) whose blocks add constant vectors,
     * so the logits can be worked out on paper. Tokens [0, 2].
     * <pre>
     * wte = [[1,-1,1,-1], [2,0,0,-2], [0,1,0,-1]]      wpe = [[0,-1,1,1], [1,-1,0,1]]
     * attn: c_attn.weight = 0, c_attn.bias = q [5,5,5,5] | k [7,7,7,7] | v [1,0,0,0]
     *   every q.k is the same, so attention is uniform and returns v = [1,0,0,0] at both positions;
     *   c_proj.weight (in, out) has W[i][(i+1) % 4] = 1: x @ W shifts right, [1,0,0,0] -> [0,1,0,0];
     *   + c_proj.bias [0,0,0,-1] -> the block adds [0,1,0,-1]
     *   (a model reading c_proj as (out, in) would shift left to [0,0,0,1]; taking q or k as v gives [5,5,5,5].)
     * mlp: c_fc.weight = 0, c_fc.bias = 0 -> gelu_new(0) = 0, so it adds c_proj.bias [0,0,-1,0]
     *   (ln_1, ln_2 and mlp.c_proj.weight stay random: nothing reads them through a non-zero weight.)
     * residual: the blocks add [0,1,0,-1] + [0,0,-1,0] = [0,1,-1,-1] at every position:
     *   h0 = wte[0] + wpe[0] + [0,1,-1,-1] = [1,-1,1,-1]      mean 0, variance 1
     *   h1 = wte[2] + wpe[1] + [0,1,-1,-1] = [1,1,-1,-1]      mean 0, variance 1
     * ln_f (w = [2,1,1,1], b = [0,0,0,0.5]) with s = 1/sqrt(1 + 1e-5):
     *   ln0 = [2s, -s, s, 0.5 - s]      ln1 = [2s, s, -s, 0.5 - s]
     * logits = ln @ wte^T:
     *   position 0: [2s+s+s+s-0.5, 4s+2s-1, -s+s-0.5] = [5s - 0.5, 6s - 1, -0.5]
     *   position 1: [2s-s-s+s-0.5, 4s+2s-1,  s+s-0.5] = [ s - 0.5, 6s - 1, 2s - 0.5]
     * </pre>
     */
    @Test
    void gpt2LogitsWorkedOutByHand() throws IOException {
        float[] cProj = new float[16];
        for (int i = 0; i < 4; i++) cProj[i * 4 + (i + 1) % 4] = 1;
        Map<String, float[]> weights = new LinkedHashMap<>();
        weights.put("wte.weight", new float[] {1, -1, 1, -1, 2, 0, 0, -2, 0, 1, 0, -1});
        weights.put("wpe.weight", new float[] {0, -1, 1, 1, 1, -1, 0, 1});
        weights.put("h.0.attn.c_attn.weight", new float[4 * 12]);
        weights.put("h.0.attn.c_attn.bias", new float[] {5, 5, 5, 5, 7, 7, 7, 7, 1, 0, 0, 0});
        weights.put("h.0.attn.c_proj.weight", cProj);
        weights.put("h.0.attn.c_proj.bias", new float[] {0, 0, 0, -1});
        weights.put("h.0.mlp.c_fc.weight", new float[4 * 16]);
        weights.put("h.0.mlp.c_fc.bias", new float[16]);
        weights.put("h.0.mlp.c_proj.bias", new float[] {0, 0, -1, 0});
        weights.put("ln_f.weight", new float[] {2, 1, 1, 1});
        weights.put("ln_f.bias", new float[] {0, 0, 0, 0.5f});
        Path model = TinyCheckpoints.gpt2(dir, new Gpt2Spec(4, 1, 2, 3, 2, 1e-5, 7), weights);

        double[][] logits = ReferenceGpt2.load(model).logits(new int[] {0, 2});
        double s = 1 / Math.sqrt(1 + 1e-5);
        assertArrayEquals(new double[] {5 * s - 0.5, 6 * s - 1, -0.5}, logits[0], 1e-12);
        assertArrayEquals(new double[] {s - 0.5, 6 * s - 1, 2 * s - 0.5}, logits[1], 1e-12);
    }

    /**
     * The small formulas, on numbers small enough to check by hand. x = [1, 2, 3, 4], head size 4, theta 100,
     * position 1: the pairs turn by 1 * 100^(-0/4) = 1 rad and 1 * 100^(-2/4) = 0.1 rad.
     */
    @Test
    void ropeNormAndGeluByHand() {
        double c1 = Math.cos(1), s1 = Math.sin(1), c2 = Math.cos(0.1), s2 = Math.sin(0.1);
        // rotate_half pairs x_0 with x_2 (1 rad) and x_1 with x_3 (0.1 rad)
        double[] halves = {1, 2, 3, 4};
        ReferenceLlama.ropeHalves(halves, 0, 4, 1, 100);
        assertArrayEquals(new double[] {1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2}, halves, 1e-15);
        // llama.cpp pairs neighbours; on the permuted vector [x0, x2, x1, x3] it gives the permuted result
        double[] pairs = {1, 3, 2, 4};
        ReferenceLlama.ropePairs(pairs, 0, 4, 1, 100);
        assertArrayEquals(new double[] {halves[0], halves[2], halves[1], halves[3]}, pairs, 1e-15);
        // ... and the converter's row permutation is exactly that: per head, rows [0,1 | 2,3] -> [0,2,1,3]
        assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, TinyCheckpoints.permuteForGguf(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 4, 1));
        assertArrayEquals(new float[] {0, 4, 1, 5, 2, 6, 3, 7}, TinyCheckpoints.permuteForGguf(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 8, 1));
        // rows move whole: a (2, 2) matrix of one head of size 2 stays put, of rows [a; b]
        assertArrayEquals(new float[] {1, 2, 3, 4}, TinyCheckpoints.permuteForGguf(new float[] {1, 2, 3, 4}, 1, 2, 2));

        // RMSNorm: [3, 4] has mean square 12.5; LayerNorm: [1, 3] has mean 2, variance 1
        assertArrayEquals(new double[] {3 / Math.sqrt(12.5), 2 * 4 / Math.sqrt(12.5)},
                ReferenceLlama.rmsNorm(new double[] {3, 4}, new double[] {1, 2}, 0), 1e-15);
        assertArrayEquals(new double[] {-1 + 10, 2 * 1 + 20},
                ReferenceGpt2.layerNorm(new double[] {1, 3}, new double[] {1, 2}, new double[] {10, 20}, 0), 1e-15);
        // gelu_new is the tanh approximation: 0.841192 at 1, not the erf GELU's 0.841345
        assertEquals(0.8411919906082768, ReferenceGpt2.geluNew(1), 1e-15);
        assertEquals(-0.15880800939172324, ReferenceGpt2.geluNew(-1), 1e-15);
        // silu(z) = z * sigmoid(z)
        assertEquals(1 / (1 + Math.exp(-1)), ReferenceLlama.silu(1), 1e-15);
    }

    // ---------------------------------------------------------------- causality

    @Test
    void llamaLogitsAtAPositionIgnoreLaterTokens() throws IOException {
        ReferenceLlama model = ReferenceLlama.fromSafetensors(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        assertCausal(model::logits, 96);
    }

    @Test
    void gpt2LogitsAtAPositionIgnoreLaterTokens() throws IOException {
        ReferenceGpt2 model = ReferenceGpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        assertCausal(model::logits, 80);
    }

    /** Greedy picks the argmax, by a clear lead, and the default GPT-2 does not just repeat one token. */
    @Test
    void gpt2GreedyIsTheArgmaxOfTheLastLogits() throws IOException {
        ReferenceGpt2 model = ReferenceGpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        int[] greedy = model.greedy(GPT2_PROMPT, 8);
        assertArrayEquals(GPT2_PROMPT, Arrays.copyOf(greedy, GPT2_PROMPT.length));
        double[][] logits = model.logits(greedy);
        for (int t = GPT2_PROMPT.length - 1; t < greedy.length - 1; t++) {
            assertEquals(ReferenceLlama.argmax(logits[t]), greedy[t + 1], "step " + t);
            // a lead far above the 1e-4 parity tolerance: an implementation within it makes the same choice
            double[] row = logits[t].clone();
            Arrays.sort(row);
            assertTrue(row[row.length - 1] - row[row.length - 2] > 1e-2, "lead at step " + t + ": " + (row[row.length - 1] - row[row.length - 2]));
        }
        assertTrue(Arrays.stream(greedy, GPT2_PROMPT.length, greedy.length).distinct().count() > 1, "a continuation that is not one repeated token: " + Arrays.toString(greedy));
    }

    private interface Forward {
        double[][] logits(int[] tokens);
    }

    /** Changing tokens from position 6 on leaves rows 0..5 bit for bit the same, and changes row 6. */
    private static void assertCausal(Forward model, int vocab) {
        int[] tokens = sequence(12, vocab, 5);
        int[] changed = tokens.clone();
        for (int t = 6; t < changed.length; t++) changed[t] = (changed[t] + 1 + t) % vocab;
        double[][] a = model.logits(tokens), b = model.logits(changed);
        for (int t = 0; t < 6; t++) assertArrayEquals(a[t], b[t], 0.0, "position " + t);
        assertFalse(Arrays.equals(a[6], b[6]), "position 6 sees its own token");
    }

    // ---------------------------------------------------------------- helpers

    /** n token ids in [3, vocab), a fixed pseudo-random walk. */
    static int[] sequence(int n, int vocab, int seed) {
        int[] tokens = new int[n];
        for (int t = 0; t < n; t++) tokens[t] = 3 + Math.floorMod(seed * 31 + t * 17 + t * t * 7, vocab - 3);
        return tokens;
    }

    static double maxAbsDiff(double[][] a, double[][] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int t = 0; t < a.length; t++) {
            assertEquals(a[t].length, b[t].length);
            for (int v = 0; v < a[t].length; v++) max = Math.max(max, Math.abs(a[t][v] - b[t][v]));
        }
        return max;
    }

    private static double standardDeviation(double[] x) {
        double mean = Arrays.stream(x).average().orElseThrow(), sum = 0;
        for (double v : x) sum += (v - mean) * (v - mean);
        return Math.sqrt(sum / x.length);
    }
}
