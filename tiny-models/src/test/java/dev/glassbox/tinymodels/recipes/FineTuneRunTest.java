package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.models.Llama;
import dev.glassbox.explorer.training.LoraAdapter;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.TrainedModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fine-tuning the shipped tiny-stories on the sea stories, fully and with LoRA, 50 steps each. */
class FineTuneRunTest {
    @TempDir
    static Path dir;
    static Path base;

    /** The shipped tiny-stories folder, copied from the class path (no GGUF exports needed). */
    static Path shippedStories(Path into) throws IOException {
        Path folder = Files.createDirectories(into.resolve("tiny-stories"));
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md", "training.json")) {
            try (InputStream in = FineTuneRunTest.class.getClassLoader().getResourceAsStream(Recipe.TINY_STORIES.resource(file))) {
                assertNotNull(in, "shipped tiny-stories file " + file);
                Files.copy(in, folder.resolve(file));
            }
        }
        return folder;
    }

    @BeforeAll
    static void copyBase() throws IOException {
        base = shippedStories(dir);
    }

    static FineTuneRun.Result run(FineTuneRun run) {
        return run.run(new FineTuneRun.Listener() {
            @Override public void onStep(Trainer.Progress p) {}

            @Override public void onEvaluation(FineTuneRun.Evaluation e) {
                System.out.printf("  step %d: sea %.4f, plain %.4f%n", e.step(), e.seaLoss(), e.plainLoss());
            }
        });
    }

    @Test
    void fiftyLoraStepsLowerTheSeaLossAndLeaveTheBaseUntouched() throws IOException {
        FineTuneRun run = new FineTuneRun(base, "tiny-stories", FineTuneSettings.LORA);
        Map<String, float[]> baseWeights = run.model().snapshot();
        System.out.println("LoRA: " + run.trainableParameterCount() + " of " + run.parameterCount() + " parameters train");
        assertEquals(4L * 8 * (2 * (192 + 192) + 2 * (192 + 96) + 3 * (192 + 512)), run.trainableParameterCount(),
                "rank 8 on q, o (192 -> 192), k, v (192 -> 96), gate, up, down (192 <-> 512) of 4 blocks");
        FineTuneRun.Result result = run(run);
        float seaBefore = result.evaluations().getFirst().seaLoss(), seaAfter = result.evaluations().getLast().seaLoss();
        System.out.printf("LoRA 50 steps: %.1f s (%.1f s in steps); sea %.4f -> %.4f, plain %.4f -> %.4f%n", result.seconds(), result.stepSeconds(),
                seaBefore, seaAfter, result.evaluations().getFirst().plainLoss(), result.evaluations().getLast().plainLoss());
        assertEquals(50, result.steps());
        assertTrue(seaAfter < 0.6f * seaBefore, "the sea loss falls by more than 40%: " + seaBefore + " -> " + seaAfter);
        for (Map.Entry<String, float[]> e : run.model().snapshot().entrySet()) {
            assertArrayEquals(baseWeights.get(e.getKey()), e.getValue(), e.getKey() + " is frozen");
        }
        Map<String, Double> moved = run.movement();
        assertTrue(moved.get("model.layers.0.self_attn.q_proj.weight") > 0);
        assertEquals(0.0, moved.get("model.layers.0.input_layernorm.weight"), "LoRA touches the projections only");
        assertEquals(0.0, moved.get("model.embed_tokens.weight"), "LoRA touches the projections only");
        run.generations().forEach(g -> System.out.println("  " + g));

        Path saved = run.save(dir, "stories-at-sea-lora", "Stories at sea (LoRA)");
        ModelEntry entry = TrainedModels.entry(saved);
        assertEquals(List.of("tiny-stories"), entry.card().baseModel());
        assertTrue(entry.source().contains("fine-tuned from tiny-stories"), entry.source());
        assertTrue(entry.card().body().contains("LoRA rank 8"), entry.card().body());
        assertEquals("Stories at sea (LoRA)", entry.name());
        assertTrue(Files.size(saved.resolve(LoraAdapter.WEIGHTS)) < Files.size(saved.resolve("model.safetensors")) / 10,
                "the adapter file is a small fraction of the model");
        int[] tokens = Recipe.TINY_STORIES.tokenizer().encode(FineTuneRun.PROMPTS.getFirst(), false).ids();
        float[] adapted = run.model().logits(tokens, 1, tokens.length);
        try (Llama llama = Llama.load(saved)) {
            float[] merged = llama.logits(tokens);
            for (int i = 0; i < merged.length; i++) assertEquals(adapted[i], merged[i], 1e-4, "logit " + i + ": merged file and base + adapter");
        }
    }

    @Test
    void fiftyFullStepsLowerTheSeaLossAndMoveEveryMatrix() throws IOException {
        FineTuneRun run = new FineTuneRun(base, "tiny-stories", FineTuneSettings.FULL);
        assertEquals(run.parameterCount(), run.trainableParameterCount());
        FineTuneRun.Result result = run(run);
        float seaBefore = result.evaluations().getFirst().seaLoss(), seaAfter = result.evaluations().getLast().seaLoss();
        System.out.printf("full 50 steps: %.1f s (%.1f s in steps); sea %.4f -> %.4f, plain %.4f -> %.4f%n", result.seconds(), result.stepSeconds(),
                seaBefore, seaAfter, result.evaluations().getFirst().plainLoss(), result.evaluations().getLast().plainLoss());
        assertTrue(seaAfter < 0.4f * seaBefore, "the sea loss falls by more than 60%: " + seaBefore + " -> " + seaAfter);
        assertTrue(result.evaluations().getLast().plainLoss() > result.evaluations().getFirst().plainLoss(),
                "every weight moved towards the sea: the plain loss rises (forgetting)");
        assertTrue(run.movement().values().stream().allMatch(v -> v > 0), "every tensor moved: " + run.movement());
        List<FineTuneRun.Generation> generations = run.generations();
        generations.forEach(g -> System.out.println("  " + g));
        assertTrue(generations.stream().noneMatch(g -> g.before() == null || g.after() == null));
        Path saved = run.save(dir, "stories-at-sea-full", "Stories at sea (full)");
        assertTrue(Files.notExists(saved.resolve(LoraAdapter.WEIGHTS)));
        assertEquals(List.of("tiny-stories"), TrainedModels.entry(saved).card().baseModel());
        assertTrue(Files.readString(saved.resolve("training.json")).contains("\"base_model\" : \"tiny-stories\""));
    }

    @Test
    void onlyModelsThatReadTheStoryTokensCanBeFineTuned() throws IOException {
        assertNull(FineTuneRun.whyNotFineTunable(base));
        Path other = Files.createDirectories(dir.resolve("other"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(base.resolve(f), other.resolve(f));
        Files.writeString(other.resolve("tokenizer.json"), "{}");
        assertTrue(FineTuneRun.whyNotFineTunable(other).contains("story tokenizer"));
        assertThrows(IllegalArgumentException.class, () -> new FineTuneRun(other, "other", FineTuneSettings.FULL));
        assertThrows(IllegalArgumentException.class, () -> FineTuneSettings.FULL.withSteps(0));
    }
}
