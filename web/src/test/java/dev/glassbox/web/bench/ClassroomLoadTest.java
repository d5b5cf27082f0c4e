package dev.glassbox.web.bench;

import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short version of the classroom load run, in every build: a few learners for half a minute, no cell lost; and
 * the same with three hostile students (slot hoarding, output floods with a stalled reader, off-heap spikes).
 */
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

    @Test
    void threeHostileStudentsCostTheOthersNoCell() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withPoolSize(2);
        try (App app = App.start(ClassroomLoad.classroom(new App.Settings("127.0.0.1", 0, data, null, kernels)))) {
            ClassroomLoad.Result r = ClassroomLoad.run(app, 4, 3, Duration.ofSeconds(30), Duration.ofSeconds(2));
            assertTrue(r.failures().isEmpty(), "the ordinary learners' failed cells: " + r.failures());
            assertTrue(r.cells() >= 4 * 10, "each learner ran cells the whole time: " + r.cells());
            for (String attack : new String[] {"hoarding", "flooding", "off-heap"}) {
                assertTrue(r.hostile().keySet().stream().anyMatch(k -> k.startsWith(attack)), "the " + attack + " attack ran: " + r.hostile());
            }
            assertTrue(r.hostile().keySet().stream().anyMatch(k -> k.contains("KernelBusy")), "the hoarder's sixth cell is refused: " + r.hostile());
            long grown = r.serverRssMax() - r.serverRssBefore();
            assertTrue(grown < 1L << 30, "the server's memory stays bounded under attack: it grew by " + (grown >> 20) + " MB");
        }
    }
}
