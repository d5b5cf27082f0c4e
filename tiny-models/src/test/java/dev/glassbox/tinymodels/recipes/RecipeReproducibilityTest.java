package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.tinymodels.TrainedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shipped weights are the output of their documented command: retraining sorter and induction-2l with their
 * recipe's defaults gives a model.safetensors byte-identical to the committed one; tiny-stories, too long to
 * retrain here, is pinned by a short run of its recipe.
 */
class RecipeReproducibilityTest {
    /**
     * SHA-256 of model.safetensors after 3 steps of tiny-stories' default settings
     * ({@code glassbox train tiny-stories --out DIR --steps 3}, on JDK 25 with 1 and 2 threads: the same file).
     */
    static final String TINY_STORIES_3_STEPS = "d873b7ec4e272570b460382ae6a0bbdf4159a29faaf90145c356de7b66ba3518";

    @TempDir
    Path dir;

    @Test
    void sorterRetrainsToTheShippedBytes() throws Exception {
        retrainsToTheShippedBytes(Recipe.SORTER);
    }

    @Test
    void inductionRetrainsToTheShippedBytes() throws Exception {
        retrainsToTheShippedBytes(Recipe.INDUCTION);
    }

    private void retrainsToTheShippedBytes(Recipe recipe) throws Exception {
        long start = System.nanoTime();
        TrainingRun run = new TrainingRun(recipe, recipe.defaults());
        run.run(p -> { });
        Path saved = run.save(dir, recipe.id(), recipe.title());
        System.out.printf("%s retrained in %.1f s on %d thread(s)%n", recipe.id(), (System.nanoTime() - start) / 1e9, Kernels.threads());
        String shipped;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(recipe.resource("model.safetensors"))) {
            shipped = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
        assertEquals(shipped, TrainedModel.trainingRecord(recipe).path("model_sha256").asText(), "training.json names the shipped weights");
        assertEquals(shipped, TrainingRun.sha256(saved.resolve("model.safetensors")), recipe.id() + " retrained to other bytes");
    }

    @Test
    void aShortRunOfTinyStoriesGivesThePinnedBytes() throws Exception {
        TrainingRun run = new TrainingRun(Recipe.TINY_STORIES, Recipe.TINY_STORIES.defaults().withSteps(3));
        run.run(p -> { });
        Path saved = run.save(dir, "tiny-stories-3", "three steps");
        assertEquals(TINY_STORIES_3_STEPS, TrainingRun.sha256(saved.resolve("model.safetensors")));
        assertEquals(3, run.stepsDone());
        assertEquals(true, Files.readString(saved.resolve("MODEL_CARD.md")).contains("--steps 3"));
    }
}
