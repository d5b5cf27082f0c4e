package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.protocol.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learner's cell tries to make an exercise's hidden check pass without the right answer: by declaring
 * the assertion the check calls, a JDK class it uses, by writing a protocol reply for the check's
 * request before the check runs, by reaching into the kernel's runtime, or by stealing the check's request from
 * the kernel's standard input and answering it (or swapping in other code under its id). Each check still fails.
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

    /**
     * The runtime is a named module whose own package is neither exported nor open: a cell finds its classes but can
     * call nothing of them, not even by reflection, and cannot read its memory through native code or Unsafe.
     */
    @Test
    void aCellCannotReachIntoTheRuntime() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            List<String> out = new ArrayList<>();
            ExecuteReply reply = kernel.execute("""
                    var channel = Class.forName("dev.glassbox.notebook.runtime.Channel");
                    System.out.println("module " + channel.getModule().getName() + " open=" + channel.getModule().isOpen("dev.glassbox.notebook.runtime"));
                    try {
                        System.out.println("current: " + channel.getMethod("current").invoke(null));
                    } catch (Exception e) { System.out.println("call refused: " + e.getClass().getSimpleName()); }
                    try {
                        var field = channel.getDeclaredField("current");
                        field.setAccessible(true);
                        System.out.println("field: " + field.get(null));
                    } catch (Exception e) { System.out.println("field refused: " + e.getClass().getSimpleName()); }
                    try {
                        var linker = java.lang.foreign.Linker.nativeLinker();
                        var read = linker.downcallHandle(linker.defaultLookup().find("read").orElseThrow(),
                                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT,
                                        java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG));
                        System.out.println("native: " + read);
                    } catch (Exception | Error e) { System.out.println("native refused: " + e.getClass().getSimpleName()); }
                    try {
                        var theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
                        theUnsafe.setAccessible(true);
                        var unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
                        long address = unsafe.allocateMemory(8);
                        System.out.println("unsafe: " + unsafe.getLong(address));
                    } catch (Exception | Error e) { System.out.println("unsafe refused: " + e.getClass().getSimpleName()); }
                    """, "cell", o -> {
                        if (o instanceof Output.Stream text) out.add(text.text());
                    });
            String printed = String.join("", out);
            assertEquals(Status.OK, reply.status(), printed);
            assertTrue(printed.contains("module dev.glassbox.notebook open=false"), printed);
            assertTrue(printed.contains("call refused: IllegalAccessException"), printed);
            assertTrue(printed.contains("field refused: InaccessibleObjectException"), printed);
            assertTrue(printed.contains("native refused: IllegalCallerException"), printed);
            assertTrue(printed.contains("unsafe refused: UnsupportedOperationException"), printed);
            assertFalse(printed.contains("current: ") || printed.contains("field: ") || printed.contains("native: ") || printed.contains("unsafe: "), printed);
        }
    }

    /**
     * Threads of the learner's steal what the server writes to the kernel (a process can read its own standard input),
     * and answer the check they find there with a reply of their own, or put back a request with the check's id and
     * other code (a process can also write to its own input through /proc/self/fd/0). The check never passes: the
     * first reply has no seal, and the runtime's sealed answer to the swapped request is for other code.
     */
    @Test
    void aStolenCheckCanBeNeitherAnsweredNorSwapped() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(15)).withPoolSize(1);
        String check = "org.junit.jupiter.api.Assertions.fail(\"the right answer was not computed\");";
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            for (String attack : List.of("answer", "swap")) {
                boolean forgeryReachedTheServer = false;
                for (int attempt = 0; attempt < 4 && !forgeryReachedTheServer; attempt++) {
                    assertEquals(Status.OK, kernel.execute(THIEVES.replace("ATTACK", attack), "cell", o -> { }).status());
                    ExecuteReply reply = kernel.check(check);
                    assertTrue(reply.status() != Status.OK, attack + ": a stolen check must not pass: " + reply);
                    if (reply.status() == Status.RESTARTED) {
                        assertTrue(reply.error().orElseThrow().message().contains("without the kernel's seal"), reply.toString());
                        forgeryReachedTheServer = true;
                    } else {
                        // the runtime read the check before the thieves did, and ran it
                        assertTrue(reply.error().orElseThrow().message().contains("the right answer was not computed"), reply.toString());
                    }
                }
                assertTrue(forgeryReachedTheServer, attack + ": eight thieves never stole the check in four tries, so this test tested nothing");
            }
        }
    }

    /** Eight threads that read the kernel's standard input and ATTACK the first check request they find. */
    private static final String THIEVES = """
            var stolen = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable thief = () -> {
                try (var in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in)));
                     var wire = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                     var input = new PrintStream(new FileOutputStream("/proc/self/fd/0"), true)) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.contains("swapped")) { input.println(line); continue; }   // put back: the runtime must read it
                        var id = java.util.regex.Pattern.compile("\\"id\\":(\\\\d+)").matcher(line);
                        if (!line.contains("\\"check\\":true") || !id.find() || !stolen.compareAndSet(false, true)) continue;
                        if ("ATTACK".equals("answer")) {
                            wire.println("{'type':'reply','id':ID,'status':'ok','executionCount':0,'seal':'AAAA'}".replace("ID", id.group(1)).replace('\\'', '"'));
                        } else {
                            input.println("{'type':'execute','id':ID,'code':'int swapped = 1;','label':'check','check':true}".replace("ID", id.group(1)).replace('\\'', '"'));
                        }
                    }
                } catch (IOException e) { }
            };
            for (int i = 0; i < 8; i++) { var t = new Thread(thief); t.setDaemon(true); t.start(); }
            """;
}
