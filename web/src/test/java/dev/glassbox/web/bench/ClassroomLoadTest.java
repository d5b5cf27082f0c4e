package dev.glassbox.web.bench;

import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The short version of the classroom load run, in every build: a few learners for half a minute, no cell lost. */
class ClassroomLoadTest {
    @TempDir
    Path data;

    @Test
    void everyCellOfASmallClassIsAnswered() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(2);
        try (App app = App.start(ClassroomLoad.classroom(new App.Settings("127.0.0.1", 0, data, null, kernels)))) {
            ClassroomLoad.Result r = ClassroomLoad.run(app, 6, Duration.ofSeconds(30), Duration.ofSeconds(2));
            assertTrue(r.failures().isEmpty(), "failed cells: " + r.failures());
            assertTrue(r.cells() >= 6 * 10, "each learner ran cells the whole time: " + r.cells());
            // speed is not asserted here (a shared machine); the full run's figures are in BENCHMARKS.md
        }
    }
}
