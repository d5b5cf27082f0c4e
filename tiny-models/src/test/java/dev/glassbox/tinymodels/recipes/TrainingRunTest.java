package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.training.Trainer;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a page or a cell relies on when it runs a recipe: a stop asked from another thread ends the run soon. */
class TrainingRunTest {
    @Test
    void stopFromAnotherThreadEndsTheRunBetweenSteps() throws Exception {
        TrainingRun run = new TrainingRun(Recipe.SORTER, Recipe.SORTER.quick().withSteps(20_000));
        CountDownLatch stepped = new CountDownLatch(3);
        Thread training = Thread.ofPlatform().start(() -> run.run(new TrainingRun.Listener() {
            @Override public void onStep(Trainer.Progress progress) { stepped.countDown(); }
        }));
        assertTrue(stepped.await(60, TimeUnit.SECONDS), "three steps within a minute");
        run.stop();
        training.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!training.isAlive(), "run() returned after stop()");
        assertTrue(run.stepsDone() >= 3 && run.stepsDone() < 1000, "stopped early, after " + run.stepsDone() + " steps");
    }
}
