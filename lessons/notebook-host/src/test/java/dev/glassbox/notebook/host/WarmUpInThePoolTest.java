package dev.glassbox.notebook.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel nobody has claimed warms up the compute kernels in the background (KernelMain, explorer's WarmUp), and
 * stops at its learner's first request: after that, no CPU is spent behind the learner's back.
 */
class WarmUpInThePoolTest {
    @TempDir
    Path scratch;

    @Test
    void aFreshKernelWarmsUpUntilItsFirstRequestAndNotAfter() throws Exception {
        // no pool: the kernel is started for this test, so its warm-up has only just begun
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(0);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = pool.open()) {
            Duration ready = kernel.process().cpuTime();
            Thread.sleep(1500);
            long warming = kernel.process().cpuTime().minus(ready).toMillis();
            assertTrue(warming > 300, "an unclaimed kernel spent only " + warming + " ms of CPU in 1.5 s: it did not warm up");

            assertEquals(ExecuteReply.Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
            Thread.sleep(300);                                          // the JIT's queue from the cell itself
            Duration claimed = kernel.process().cpuTime();
            Thread.sleep(3000);
            long after = kernel.process().cpuTime().minus(claimed).toMillis();
            assertTrue(after < 600, "the kernel spent " + after + " ms of CPU in the 3 s after its first cell (it spent "
                    + warming + " ms in 1.5 s while warming up): the warm-up went on after the learner claimed it");
        }
    }
}
