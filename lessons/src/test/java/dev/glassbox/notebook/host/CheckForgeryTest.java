package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
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

    /** The check of an exercise that teaches a kernel finds the library kernel called in its place, however indirectly. */
    @Test
    void aCheckSeesTheLibraryKernelInsideTheLearnersMethod() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        String check = """
                Runnable mention = () -> sumOfSquares(new float[0]);
                String leans = dev.glassbox.notebook.Checks.leansOn(java.lang.invoke.MethodHandles.lookup(), "sumOfSquares", "dev.glassbox.");
                if (leans != null) fail(leans);
                if (sumOfSquares(new float[] {3f, 4f}) != 25f) fail("wrong sum");
                """;
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            // called directly
            assertEquals(Status.OK, kernel.execute("static float sumOfSquares(float[] x) { return dev.glassbox.explorer.kernels.Kernels.dot(x, x, x.length); }",
                    "cell", o -> { }).status());
            ExecuteReply direct = kernel.check(check);
            assertEquals(Status.ERROR, direct.status(), direct.toString());
            assertTrue(direct.error().orElseThrow().message().contains("sumOfSquares calls on dev.glassbox.explorer.kernels.Kernels"), direct.toString());

            // through a helper of the learner's, declared in another cell
            assertEquals(Status.OK, kernel.execute("static float helper(float[] x) { return dev.glassbox.explorer.kernels.Kernels.dot(x, x, x.length); }",
                    "cell", o -> { }).status());
            assertEquals(Status.OK, kernel.execute("static float sumOfSquares(float[] x) { return helper(x); }", "cell", o -> { }).status());
            ExecuteReply indirect = kernel.check(check);
            assertEquals(Status.ERROR, indirect.status(), indirect.toString());
            assertTrue(indirect.error().orElseThrow().message().contains("dev.glassbox.explorer.kernels.Kernels"), indirect.toString());

            // by reflection, the class named in a string
            assertEquals(Status.OK, kernel.execute("""
                    static float sumOfSquares(float[] x) {
                        try {
                            return (float) Class.forName("dev.glassbox.explorer.kernels.Kernels").getMethod("dot", float[].class, float[].class, int.class).invoke(null, x, x, x.length);
                        } catch (ReflectiveOperationException e) { return 0f; }
                    }
                    """, "cell", o -> { }).status());
            ExecuteReply reflective = kernel.check(check);
            assertEquals(Status.ERROR, reflective.status(), reflective.toString());

            // the learner's own loop passes
            assertEquals(Status.OK, kernel.execute("static float sumOfSquares(float[] x) { float s = 0; for (float v : x) s += v * v; return s; }",
                    "cell", o -> { }).status());
            ExecuteReply honest = kernel.check(check);
            assertEquals(Status.OK, honest.status(), honest.toString());
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
