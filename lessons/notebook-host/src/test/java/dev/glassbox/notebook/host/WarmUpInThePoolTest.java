package dev.glassbox.notebook.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel waiting in the pool warms up the compute kernels in the background (KernelMain, tiny-models'
 * KernelWarmUp), and stops when the server hands it to a learner, before any cell: a class opening forty
 * kernels at once must not pay for forty warm-ups behind the learners' backs.
 */
class WarmUpInThePoolTest {
    @TempDir
    Path scratch;

    @Test
    void aKernelWarmsUpWhileItWaitsAndStopsWhenALearnerGetsIt() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect())) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (pool.warmCount() == 0 && System.nanoTime() < deadline) Thread.sleep(20);
            KernelProcess waiting = pool.waiting().getFirst();
            Duration ready = waiting.cpuTime();
            Thread.sleep(1000);
            long warming = waiting.cpuTime().minus(ready).toMillis();
            assertTrue(warming > 300, "a kernel in the pool spent only " + warming + " ms of CPU in 1 s: it did not warm up");

            try (Kernel kernel = pool.open()) {
                assertSame(waiting, kernel.process(), "the learner got the warm kernel");
                Thread.sleep(1000);             // the step the warm-up had in hand, and some of what it left the JIT to compile
                Duration claimed = kernel.process().cpuTime();
                Thread.sleep(3000);
                long after = kernel.process().cpuTime().minus(claimed).toMillis();
                // a warm-up that goes on keeps a core busy (2850 ms in these 3 s, measured); the JIT's leftovers do not
                assertTrue(after < 1200, "the kernel spent " + after + " ms of CPU in the 3 s after a learner got it, before any"
                        + " cell (it spent " + warming + " ms in 1 s while waiting): the warm-up went on behind the learner's back");
                assertEquals(ExecuteReply.Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
            }
        }
    }
}
