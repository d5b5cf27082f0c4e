package dev.glassbox.kernel;

import dev.glassbox.kernel.ExecuteReply.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learner's cell tries to make an exercise's hidden check pass without the right answer: by declaring
 * the assertion the check calls, a JDK class it uses, or by writing a protocol reply for the check's
 * request before the check runs. Each check still fails.
 */
class CheckForgeryTest {
    @TempDir
    Path scratch;

    @Test
    void aCellCannotShadowWhatTheCheckCalls() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            assertEquals(Status.OK, kernel.execute("""
                    static float sumOfSquares(float[] x) { return 0f; }
                    static void fail(String message) { }
                    """, "cell", o -> { }).status());
            ExecuteReply check = kernel.check("""
                    float got = sumOfSquares(new float[] {3f});
                    if (got != 9f) fail("expected 9, got " + got);
                    """);
            assertEquals(Status.ERROR, check.status(), "a fail() of the learner's own must not pass the check: " + check);
            assertEquals("ShadowedName", check.error().orElseThrow().ename());
            assertTrue(check.error().orElseThrow().message().contains("fail"), check.toString());

            assertEquals(Status.OK, kernel.execute("class Math { static double abs(double x) { return 0; } }", "cell", o -> { }).status());
            ExecuteReply math = kernel.check("""
                    if (!(Math.abs(sumOfSquares(new float[] {3f}) - 9.0) <= 1e-6)) org.junit.jupiter.api.Assertions.fail("wrong");
                    """);
            assertEquals(Status.ERROR, math.status(), "a Math of the learner's own must not pass the check: " + math);
            assertTrue(math.error().orElseThrow().message().contains("Math"), math.toString());
        }
    }

    @Test
    void aCellCannotAnswerForTheCheckThatFollowsIt() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            // for three seconds, a background thread answers "ok" for the next requests, whatever their ids would be
            String cell = ForgedMessageTest.PRELUDE + """
                    long first = id;
                    Thread forger = new Thread(() -> {
                        long until = System.nanoTime() + 3_000_000_000L;
                        while (System.nanoTime() < until) {
                            for (long next = first + 1; next <= first + 5; next++) {
                                wire.println("{'type':'reply','id':ID,'status':'ok','executionCount':1}".replace("ID", Long.toString(next)).replace('\\'', '"'));
                            }
                            try { Thread.sleep(1); } catch (InterruptedException e) { return; }
                        }
                    });
                    forger.setDaemon(true);
                    forger.start();
                    """;
            assertEquals(Status.OK, kernel.execute(cell, "cell", o -> { }).status());
            ExecuteReply check = kernel.check("org.junit.jupiter.api.Assertions.fail(\"the right answer was not computed\");");
            assertEquals(Status.ERROR, check.status(), "a forged reply must not pass the check: " + check);
            assertTrue(check.error().orElseThrow().message().contains("the right answer was not computed"), check.toString());
        }
    }
}
