package dev.glassbox.explorer.models;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.models.TinyCheckpoints.Gpt2Spec;
import dev.glassbox.explorer.models.TinyCheckpoints.LlamaSpec;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hook points, the activation cache and interventions, on the three families. */
class HooksTest {
    @TempDir Path dir;

    static final List<String> DECODER_BLOCK = List.of(
            "hook_resid_pre", "ln1.hook_normalized", "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_attn_scores",
            "attn.hook_pattern", "attn.hook_z", "hook_attn_out", "hook_resid_mid", "ln2.hook_normalized", "mlp.hook_pre",
            "mlp.hook_post", "hook_mlp_out", "hook_resid_post");

    /** BERT normalizes after each sub-layer, so its ln1/ln2 come after the residual additions. */
    static final List<String> ENCODER_BLOCK = List.of(
            "hook_resid_pre", "attn.hook_q", "attn.hook_k", "attn.hook_v", "attn.hook_attn_scores", "attn.hook_pattern",
            "attn.hook_z", "hook_attn_out", "hook_resid_mid", "ln1.hook_normalized", "mlp.hook_pre", "mlp.hook_post",
            "hook_mlp_out", "hook_resid_post", "ln2.hook_normalized");

    static List<String> golden(List<String> before, List<String> block, int layers, List<String> after) {
        List<String> names = new ArrayList<>(before);
        for (int l = 0; l < layers; l++) for (String s : block) names.add("blocks." + l + "." + s);
        names.addAll(after);
        return names;
    }

    @Test
    void llamaCacheNamesInExecutionOrder() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        List<String> golden = golden(List.of("hook_embed"), DECODER_BLOCK, 2, List.of("ln_final.hook_normalized", "unembed.hook_out"));
        assertEquals(golden, llama.runWithCache(new int[] {5, 6, 7}).cache().names());
        assertEquals(golden, llama.hookNames(), "the hook points, listed without running a hook");
    }

    /** The sizes predicted from one- and two-token runs are those of a real run of another length, for every hook. */
    @Test
    void hookSizesPredictEveryActivationOfALongerRun() throws IOException {
        for (Transformer model : List.of(Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT)),
                Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT)),
                Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer())))) {
            int[] tokens = {1, 5, 6, 7, 8, 9, 2};
            ActivationCache cache = model.runWithCache(tokens).cache();
            java.util.Map<String, Transformer.HookSize> sizes = model.hookSizes();
            assertEquals(cache.names(), List.copyOf(sizes.keySet()));
            for (String name : cache.names()) {
                assertEquals(cache.get(name).size(), sizes.get(name).values(tokens.length), name);
            }
            assertTrue(sizes.get("blocks.0.attn.hook_pattern").perPair() > 0, "a pattern grows with the square of the tokens");
            model.close();
        }
    }

    /** Switching a head off in layer 0 leaves layer 0's patterns alone (they come before it) and moves layer 1's. */
    @Test
    void patternShiftSaysWhichLayersAnAblationMoved() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int[] tokens = {5, 6, 7, 8, 9};
        ActivationCache normal = llama.runWithCache(tokens).cache();
        ActivationCache ablated = llama.runWithCache(tokens, name -> true, Interventions.ablateHeads(Hooks.none(), 0, 1)).cache();
        float[][] shift = Interventions.patternShift(normal, ablated, llama.architecture());
        for (float s : shift[0]) assertEquals(0f, s, "layer 0 comes before the ablation took effect");
        float most = 0;
        for (float s : shift[1]) {
            assertTrue(s >= 0 && s <= 1, "a shift is half an L1 distance between distributions: " + s);
            most = Math.max(most, s);
        }
        assertTrue(most > 1e-4, "layer 1 reads the changed stream: " + Arrays.toString(shift[1]));
        assertArrayEquals(new float[llama.architecture().heads()], Interventions.patternShift(normal, normal, llama.architecture())[1]);

        float[] norms = normal.get(0, HookName.InBlock.RESID_PRE).rowNorms();
        float[] row2 = Arrays.copyOfRange(normal.get(0, HookName.InBlock.RESID_PRE).values(), 2 * 64, 3 * 64);
        double expected = 0;
        for (float v : row2) expected += (double) v * v;
        assertEquals(Math.sqrt(expected), norms[2], 1e-5, "rowNorms: the norm of position 2's residual");
    }

    @Test
    void gpt2CacheNamesInExecutionOrder() throws IOException {
        Decoder gpt2 = Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        assertEquals(golden(List.of("hook_embed", "hook_pos_embed"), DECODER_BLOCK, 2, List.of("ln_final.hook_normalized", "unembed.hook_out")),
                gpt2.runWithCache(new int[] {5, 6, 7}).cache().names());
    }

    @Test
    void bertCacheNamesInExecutionOrder() throws IOException {
        try (Bert bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()))) {
            Transformer.CachedRun run = bert.runWithCache(bert.encode("hooks everywhere"));
            assertEquals(golden(List.of("hook_embed", "hook_pos_embed"), ENCODER_BLOCK, 6, List.of()), run.cache().names());
            Activation pattern = run.cache().get(3, HookName.InBlock.PATTERN);
            int n = bert.encode("hooks everywhere").length;
            assertArrayEquals(new int[] {12, n, n}, pattern.shape());
            for (int h = 0; h < 12; h++) {
                for (int q = 0; q < n; q++) {
                    float sum = 0;
                    for (int k = 0; k < n; k++) sum += pattern.get(h, q, k);
                    assertEquals(1f, sum, 1e-5f, "pattern row sums to 1");
                }
            }
        }
    }

    @Test
    void shapesFollowTransformerLens() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));     // 4 heads, 2 kv heads, d_head 16
        ActivationCache cache = llama.runWithCache(new int[] {1, 2, 3, 4, 5}).cache();
        assertArrayEquals(new int[] {5, 64}, cache.get("blocks.0.hook_resid_pre").shape());
        assertArrayEquals(new int[] {5, 4, 16}, cache.get("blocks.0.attn.hook_q").shape());
        assertArrayEquals(new int[] {5, 2, 16}, cache.get("blocks.0.attn.hook_k").shape());
        assertArrayEquals(new int[] {4, 5, 5}, cache.get("blocks.1.attn.hook_pattern").shape());
        assertArrayEquals(new int[] {5, 160}, cache.get("blocks.1.mlp.hook_post").shape());
        assertArrayEquals(new int[] {5, 96}, cache.get("unembed.hook_out").shape());
        Activation pattern = cache.get("blocks.0.attn.hook_pattern");
        assertEquals(0f, pattern.get(2, 1, 3), "causal: position 1 never sees position 3");
        assertEquals(1f, pattern.get(0, 0, 0), 1e-6f, "the first position sees only itself");
    }

    @Test
    void theCacheKeepsCopiesAndTheFilterChoosesWhat() throws IOException {
        Decoder gpt2 = Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        int[] tokens = {3, 1, 4, 1, 5};
        Transformer.CachedRun run = gpt2.runWithCache(tokens, name -> name.endsWith("hook_resid_post"));
        assertEquals(List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post"), run.cache().names());
        // the residual buffer is reused (and normalized in place at the end), so equal rows mean the cache copied
        assertNotEquals(Arrays.toString(run.cache().get("blocks.0.hook_resid_post").values()),
                Arrays.toString(run.cache().get("blocks.1.hook_resid_post").values()));
        assertArrayEquals(gpt2.logits(tokens), run.output().values(), "recording does not change the result");
    }

    @Test
    void aHookThatReplacesAnActivationChangesTheOutput() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int[] tokens = {7, 8, 9, 10};
        float[] clean = llama.logits(tokens);
        float[] zeroedMlp = llama.run(tokens, Hooks.none().with("blocks.1.hook_mlp_out", a -> Arrays.fill(a.data(), 0f))).values();
        assertTrue(maxDiff(clean, zeroedMlp) > 1e-3, "zeroing an MLP output changes the logits");
        float[] identity = llama.run(tokens, Hooks.none().with(n -> true, a -> {})).values();
        assertArrayEquals(clean, identity, "a hook that only reads changes nothing");
    }

    @Test
    void ablatingAHeadChangesOnlyWhatComesAfterIt() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int[] tokens = {7, 8, 9, 10};
        ActivationCache clean = llama.runWithCache(tokens).cache();
        ActivationCache ablated = llama.runWithCache(tokens, n -> true, Interventions.ablateHeads(Hooks.none(), 1, 2)).cache();
        assertArrayEquals(clean.get("blocks.1.attn.hook_pattern").values(), ablated.get("blocks.1.attn.hook_pattern").values());
        Activation z = ablated.get("blocks.1.attn.hook_z");
        for (int p = 0; p < 4; p++) for (int i = 0; i < 16; i++) assertEquals(0f, z.get(p, 2, i));
        assertTrue(maxDiff(clean.get("unembed.hook_out").values(), ablated.get("unembed.hook_out").values()) > 1e-4);
        assertThrows(IllegalArgumentException.class, () -> llama.run(tokens, Interventions.ablateHeads(Hooks.none(), 0, 4)));
    }

    @Test
    void patchingEveryResidualRowFromTheCleanRunRestoresIt() throws IOException {
        Decoder gpt2 = Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        int[] clean = {10, 11, 12, 13}, corrupted = {10, 11, 40, 13};
        ActivationCache cache = gpt2.runWithCache(clean).cache();
        float[] patched = gpt2.run(corrupted, Interventions.patch(Hooks.none(), cache, "blocks.1.hook_resid_pre")).values();
        assertTrue(maxDiff(gpt2.logits(clean), patched) < 1e-5, "after the patch the rest of the run is the clean run");
        float[][] sweep = Interventions.residualPatching(gpt2, clean, corrupted, out -> out.get(3, 20));
        assertEquals(gpt2.logits(clean)[3 * 80 + 20], sweep[0][2], 1e-4, "patching the changed position at layer 0 restores the clean logit");
        assertEquals(gpt2.logits(corrupted)[3 * 80 + 20], sweep[0][0], 1e-4, "patching an unchanged position does nothing");
    }

    @Test
    void decodingWithTheKvCacheEqualsRunningTheWholeSequence() throws IOException {
        for (Decoder model : List.of(Llama.load(TinyCheckpoints.llama(dir.resolve("l"), LlamaSpec.DEFAULT)),
                Gpt2.load(TinyCheckpoints.gpt2(dir.resolve("g"), Gpt2Spec.DEFAULT)))) {
            int[] tokens = {4, 9, 16, 25, 36, 49};
            int vocab = model.architecture().vocab();
            float[] whole = model.logits(tokens);
            KvCache cache = model.newCache();
            model.run(Arrays.copyOf(tokens, 3), cache, Hooks.none());
            for (int i = 3; i < tokens.length; i++) {
                float[] step = model.run(new int[] {tokens[i]}, cache, Hooks.none()).values();
                assertTrue(maxDiff(Arrays.copyOfRange(whole, i * vocab, (i + 1) * vocab), step) < 1e-5, model.architecture().family() + " position " + i);
            }
            assertEquals(6, cache.length());
        }
    }

    @Test
    void samplingIsSeededAndTopKOneIsGreedy() throws IOException {
        Decoder llama = Llama.load(TinyCheckpoints.llama(dir, LlamaSpec.DEFAULT));
        int[] prompt = {1, 40, 75};
        int[] a = llama.generate(prompt, 12, new Sampler(1.0f, 0, 0.95f, 7), s -> {});
        int[] b = llama.generate(prompt, 12, new Sampler(1.0f, 0, 0.95f, 7), s -> {});
        assertArrayEquals(a, b, "same seed, same text");
        assertArrayEquals(llama.greedy(prompt, 12), llama.generate(prompt, 12, new Sampler(0.8f, 1, 1f, 3), s -> {}));
        List<Decoder.Step> steps = new ArrayList<>();
        llama.generate(prompt, 5, new Sampler(1.0f, 5, 1f, 1), steps::add);
        assertEquals(5, steps.size());
        for (Decoder.Step s : steps) {
            assertEquals(5, s.candidates().tokens().length);
            float sum = 0;
            for (float p : s.candidates().probabilities()) sum += p;
            assertEquals(1f, sum, 1e-5f);
        }
        assertEquals(3, steps.get(0).position());
    }

    @Test
    void theLastLogitLensLayerIsTheModelsOwnPrediction() throws IOException {
        Decoder gpt2 = Gpt2.load(TinyCheckpoints.gpt2(dir, Gpt2Spec.DEFAULT));
        int[] tokens = {10, 11, 12, 13};
        List<LogitLens.Guess> lens = LogitLens.decode(gpt2, tokens, 3, 5);
        assertEquals(List.of("blocks.0.hook_resid_pre", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post"),
                lens.stream().map(LogitLens.Guess::layer).toList());
        float[] p = Sampler.probabilities(gpt2.logits(tokens), 3 * 80, 80);
        int best = 0;
        for (int i = 1; i < 80; i++) if (p[i] > p[best]) best = i;
        assertEquals(best, lens.get(2).tokens()[0]);
        assertEquals(p[best], lens.get(2).scores()[0], 1e-5f);
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        return worst;
    }
}
