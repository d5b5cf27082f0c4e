package dev.glassbox.web.training;

import dev.glassbox.tinymodels.recipes.Recipe;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's runs without HTTP: the watchdog's stops, the slots, and how a name becomes an id. */
class TrainingRunsTest {
    static LearnerRun.View awaitEnd(LearnerRun run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (run.state().active()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the run did not end: " + run.view(10));
            Thread.sleep(50);
        }
        return run.view(10);
    }

    @Test
    void aRunNobodyWatchesIsStopped() throws Exception {
        try (TrainingRuns runs = new TrainingRuns(1, TrainingLimits.defaults().withIdleStop(Duration.ofMillis(500)))) {
            LearnerRun run = runs.start("ada", Recipe.SORTER, Recipe.SORTER.quick().withSteps(20_000));
            LearnerRun.View view = awaitEnd(run);
            assertEquals("stopped", view.state());
            assertEquals(LearnerRun.StopReason.IDLE.text, view.stopReason());
            assertEquals(0, runs.active(), "its slot is free again");
        }
    }

    @Test
    void aRunStopsAtTheLongestTimeAllowed() throws Exception {
        try (TrainingRuns runs = new TrainingRuns(1, TrainingLimits.defaults().withMaxWallTime(Duration.ofSeconds(1)))) {
            LearnerRun run = runs.start("ada", Recipe.SORTER, Recipe.SORTER.quick().withSteps(20_000));
            for (int i = 0; i < 100 && run.state().active(); i++) {
                run.touch();                                  // watched all along: only the wall time stops it
                Thread.sleep(50);
            }
            LearnerRun.View view = awaitEnd(run);
            assertEquals(LearnerRun.StopReason.WALL_TIME.text, view.stopReason());
            assertTrue(view.stepsDone() > 0 && view.stepsDone() < 20_000, view.toString());
        }
    }

    @Test
    void slotsAreSharedAndOneRunPerLearner() throws Exception {
        try (TrainingRuns runs = new TrainingRuns(2, TrainingLimits.defaults())) {
            LearnerRun a = runs.start("ada", Recipe.SORTER, Recipe.SORTER.quick().withSteps(20_000));
            assertThrows(TrainingRuns.AlreadyRunning.class, () -> runs.start("ada", Recipe.SORTER, Recipe.SORTER.quick()));
            LearnerRun b = runs.start("bob", Recipe.INDUCTION, Recipe.INDUCTION.quick().withSteps(20_000));
            TrainingRuns.Full full = assertThrows(TrainingRuns.Full.class, () -> runs.start("cat", Recipe.SORTER, Recipe.SORTER.quick()));
            assertTrue(full.getMessage().contains("(2,"), full.getMessage());
            assertEquals(2, runs.active());
            a.stop(LearnerRun.StopReason.LEARNER);
            awaitEnd(a);
            assertTrue(b.state().active(), "stopping ada's run leaves bob's going");
            LearnerRun c = runs.start("cat", Recipe.SORTER, Recipe.SORTER.quick().withSteps(2));
            assertEquals("finished", awaitEnd(c).state());
        }
    }

    @Test
    void theTrainingThreadRunsAtLowPriorityWithItsKernelsOnItself() throws Exception {
        try (TrainingRuns runs = new TrainingRuns(1, TrainingLimits.defaults())) {
            LearnerRun run = runs.start("ada", Recipe.SORTER, Recipe.SORTER.quick().withSteps(20_000));
            Thread thread = null;
            for (int i = 0; i < 100 && thread == null; i++) {
                thread = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().equals("training-sorter-" + run.runId())).findFirst().orElse(null);
                Thread.sleep(10);
            }
            assertTrue(thread != null, "a thread of its own, named after the run");
            assertEquals(Thread.MIN_PRIORITY, thread.getPriority());
            assertTrue(thread.isDaemon());
            run.stop(LearnerRun.StopReason.LEARNER);
            awaitEnd(run);
        }
    }

    @Test
    void aNameBecomesASafeId() {
        assertEquals("my-sorter", SavedModels.idFor("  My Sorter!  "));
        assertEquals("sorter-v2-3", SavedModels.idFor("sorter_v2.3"));
        assertEquals("caf", SavedModels.idFor("Café"));
        assertEquals(SavedModels.MAX_ID, SavedModels.idFor("a".repeat(60)).length());
        for (String bad : List.of("../x", "x/y", "x\\y", "..", "", " ", "—", "a\u0000b", "x".repeat(61))) {
            SavedModels.BadName e = assertThrows(SavedModels.BadName.class, () -> SavedModels.idFor(bad), bad);
            assertTrue(e.getMessage().startsWith("Field \"name\""), e.getMessage());
        }
        assertFalse(SavedModels.idFor("a--b").contains("--"));
    }
}
