package dev.glassbox.notebook.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A teacher announces a class before it arrives ({@link KernelPool#expect}): the pool starts a kernel for each learner
 * expected, each learner who arrives takes one that is ready, and a class that does not come in time gives its
 * kernels' memory back.
 */
class ExpectAClassTest {
    @TempDir
    Path scratch;

    @Test
    void kernelsAreReadyBeforeTheClassArrivesAndStopWhenItDoesNotCome() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            waitFor(pool, 1);
            assertEquals(new KernelPool.Readiness(1, 0, 1), pool.readiness(), "the usual pool before any class");

            pool.expect(4, Duration.ofSeconds(60));
            assertEquals(4, pool.readiness().target());
            waitFor(pool, 4);
            assertEquals(4, pool.readiness().warm());

            try (Kernel first = pool.open(); Kernel second = pool.open()) {   // two of the four learners arrive
                assertEquals(2, pool.readiness().target(), "two of four came: two kernels are still wanted");
                assertEquals(ExecuteReply.Status.OK, first.execute("1 + 1", "cell", o -> { }).status());
                assertEquals(ExecuteReply.Status.OK, second.execute("2 + 2", "cell", o -> { }).status());
                second.restart();                                             // a restart is not a learner arriving
                assertEquals(2, pool.readiness().target(), "a restart does not count against the class");
            }

            pool.expect(3, Duration.ofMinutes(2));                            // a class that will not come:
            waitFor(pool, 3);
            pool.expect(3, Duration.ZERO);                                    // its window has passed
            assertEquals(1, pool.readiness().target());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((pool.warmCount() > 1 || pool.startingCount() > 0) && System.nanoTime() < deadline) Thread.sleep(100);
            assertEquals(1, pool.warmCount(), "after the window only the usual pool is left");
            assertEquals(1, pool.readiness().target());
        }
    }

    @Test
    void aNegativeClassIsRefused() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withPoolSize(0);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            assertThrows(IllegalArgumentException.class, () -> pool.expect(-1, Duration.ofMinutes(1)));
        }
    }

    private static void waitFor(KernelPool pool, int warm) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (pool.warmCount() < warm && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(pool.warmCount() >= warm, "only " + pool.warmCount() + " of " + warm + " kernels ready after 2 minutes");
    }
}
