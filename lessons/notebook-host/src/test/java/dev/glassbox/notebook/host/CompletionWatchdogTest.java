package dev.glassbox.notebook.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completion requests are small and come as the learner types; a script can send them without end.
 * They must not hide a kernel's background work from the idle-CPU watchdog, and a cell too large to run
 * is not sent to the kernel for completion either.
 */
class CompletionWatchdogTest {
    @TempDir
    Path scratch;

    @Test
    void aStreamOfCompletionsDoesNotKeepABackgroundSpinnerAlive() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = warm(pool).open()) {
            assertEquals(ExecuteReply.Status.OK, kernel.execute("""
                    Thread spinner = new Thread(() -> { long n = 0; while (true) n++; });
                    spinner.setDaemon(true);
                    spinner.start();
                    """, "cell", o -> { }).status());
            long started = System.nanoTime();
            long pid = kernel.pid();
            boolean killed = false;
            while (System.nanoTime() - started < Duration.ofSeconds(90).toNanos()) {
                kernel.complete("Math.ab", 7);              // as fast as the kernel answers, all the time
                if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                    killed = true;
                    break;
                }
            }
            assertTrue(killed, "the watchdog stopped the spinning kernel although completions kept coming");
            ExecuteReply next = kernel.execute("1 + 1", "cell", o -> { });
            assertTrue(next.restarted(), next.toString());
            assertTrue(next.error().orElseThrow().message().contains("kept running in the background"), next.toString());
            String huge = "int x = 1;\n".repeat(settings.maxCellChars() / 11 + 1);
            assertEquals(0, kernel.complete(huge, huge.length()).options().size(), "a cell too large to run is not completed");
        }
    }

    /** Waits (up to 4 min, on a busy machine) for the pool's kernel, which starts in the background with a longer time limit. */
    static KernelPool warm(KernelPool pool) throws InterruptedException {
        for (int i = 0; i < 480 && pool.warmCount() == 0; i++) Thread.sleep(500);
        return pool;
    }
}
