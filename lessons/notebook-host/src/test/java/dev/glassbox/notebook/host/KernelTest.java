package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real kernel JVMs running real cells. */
class KernelTest {
    private static final Duration LIMIT = Duration.ofSeconds(3);

    @TempDir
    static Path scratch;
    static KernelPool pool;

    @BeforeAll
    static void startPool() {
        pool = new KernelPool(KernelSettings.defaults(scratch).withTimeLimit(LIMIT).withPoolSize(1), Sandbox.detect());
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    private static String stdout(ExecuteReply reply) {
        return reply.outputs().stream().filter(o -> o instanceof Output.Stream s && s.name().equals("stdout"))
                .map(o -> ((Output.Stream) o).text()).collect(Collectors.joining());
    }

    private static String value(ExecuteReply reply) {
        return reply.outputs().stream().filter(Output.ExecuteResult.class::isInstance)
                .map(o -> (String) ((Output.ExecuteResult) o).data().get("text/plain")).findFirst().orElse(null);
    }

    /**
     * A kernel maps the AOT cache the pool made (the JVM then says "sharing"): the cache is made with the module path,
     * class path and main module the kernels start with, and maps from the sandbox's neutral paths. Only jars are
     * cached, so a build that runs the runtime from a class folder (an IDE) has no cache to check.
     */
    @Test
    void kernelsStartFromTheAotCache() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(pool.settings().libraries().all().stream().allMatch(java.nio.file.Files::isRegularFile),
                "the kernel's libraries include class folders");
        long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (pool.aotCache() == null && System.nanoTime() < until) Thread.sleep(200);
        assertTrue(pool.aotCache() != null, "the pool made no AOT cache in 3 minutes");
        try (Kernel kernel = pool.open()) {       // the pool's first kernel may have started before the cache was made
            kernel.restart();
            String info = value(kernel.execute("System.getProperty(\"java.vm.info\")", "info", o -> {}));
            assertTrue(info != null && info.contains("sharing"), "the kernel runs without its AOT cache: " + info);
        }
    }

    @Test
    void valueOfTheLastExpressionAndVariablesThatPersist() throws Exception {
        try (Kernel kernel = pool.open()) {
            assertEquals("2", value(kernel.execute("1 + 1", "a", o -> {})));
            ExecuteReply declare = kernel.execute("int x = 20;\nint y = x + 1;", "b", o -> {});
            assertEquals(Status.OK, declare.status());
            assertEquals(null, value(declare), "declarations show no value");
            ExecuteReply use = kernel.execute("x + y", "c", o -> {});
            assertEquals("41", value(use));
            assertEquals(3, use.executionCount());
        }
    }

    /**
     * JShell keeps each expression's value in a temporary variable ($1, $2, ...) and imports all of them into every
     * later snippet, so that each cell compiled more slowly than the one before; the kernel drops them once the value
     * is shown. Completion lists the names a cell can use: no $N among them, while a declared variable is.
     */
    @Test
    void expressionsLeaveNoTemporaryVariables() throws Exception {
        try (Kernel kernel = pool.open()) {
            for (int i = 0; i < 3; i++) assertEquals(Integer.toString(i + 40), value(kernel.execute(i + " + 40", "e" + i, o -> {})));
            kernel.execute("int $kept = 7;", "d", o -> {});
            KernelMessage.Completions completions = kernel.complete("$", 1);
            List<String> names = completions.options().stream().map(KernelMessage.Completions.Option::label).toList();
            assertTrue(names.contains("$kept"), "the declared variable completes: " + names);
            assertTrue(names.stream().noneMatch(n -> n.matches("\\$\\d+")), "temporary variables left: " + names);
        }
    }

    /** A kernel starts with the JIT directives that keep C2 off javac and JShell (KernelJit): the JVM read the file. */
    @Test
    void kernelsStartWithTheirJitDirectives() throws Exception {
        try (Kernel kernel = pool.open()) {
            String arguments = value(kernel.execute("java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().toString()",
                    "args", o -> {}));
            assertTrue(arguments != null && arguments.contains("-XX:CompilerDirectivesFile="), "the kernel's JVM arguments: " + arguments);
        }
    }

    @Test
    void printfShowsItsTextNotThePrintStreamItReturns() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("System.out.printf(\"%d%n\", 42)", "printf", o -> {});
            assertEquals("42\n", stdout(reply));
            assertEquals(null, value(reply));
        }
    }

    @Test
    void stdoutIsStreamedInOrderAndKeepsUnicode() throws Exception {
        try (Kernel kernel = pool.open()) {
            StringBuilder live = new StringBuilder();
            ExecuteReply reply = kernel.execute("for (int i = 0; i < 3; i++) System.out.println(\"λ \" + i);\nSystem.err.println(\"warn\");",
                    "p", o -> { if (o instanceof Output.Stream s && s.name().equals("stdout")) live.append(s.text()); });
            assertEquals(Status.OK, reply.status());
            assertEquals("λ 0\nλ 1\nλ 2\n", stdout(reply));
            assertEquals(stdout(reply), live.toString(), "the listener saw the same text as it arrived");
            assertTrue(reply.outputs().stream().anyMatch(o -> o instanceof Output.Stream s && s.name().equals("stderr") && s.text().contains("warn")));
        }
    }

    @Test
    void compileErrorPointsAtTheLineAndColumnInTheCell() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("int a = 1;\n\n// a comment\nint b = a +  undefinedName;\nint c = 3;", "e", o -> {});
            assertEquals(Status.ERROR, reply.status());
            Output.Error error = reply.error().orElseThrow();
            assertEquals(4, error.line());
            assertEquals(14, error.column(), error.toString());
            assertTrue(error.message().contains("cannot find symbol"), error.message());
            // the cell stopped at the error: c was never declared
            assertEquals(Status.ERROR, kernel.execute("c", "f", o -> {}).status());
        }
    }

    @Test
    void runtimeExceptionHasItsStackTrimmedToTheCell() throws Exception {
        try (Kernel kernel = pool.open()) {
            kernel.execute("int[] at(int i) {\n  int[] q = new int[2];\n  q[i] = 1;\n  return q;\n}", "helpers", o -> {});
            ExecuteReply reply = kernel.execute("int ok = 1;\n\nat(5);", "main", o -> {});
            assertEquals(Status.ERROR, reply.status());
            Output.Error error = reply.error().orElseThrow();
            assertEquals("java.lang.ArrayIndexOutOfBoundsException", error.ename());
            assertEquals(3, error.line(), error.toString());
            assertEquals(List.of("at at (helpers, line 3)", "at (main, line 3)"), error.traceback());
            assertFalse(error.traceback().stream().anyMatch(l -> l.contains("jdk.jshell") || l.contains("reflect")));
        }
    }

    @Test
    void nullPointerMessageNamesTheVariableNotJShellInternals() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("String s = null;\ns.length()", "n", o -> {});
            Output.Error error = reply.error().orElseThrow();
            assertTrue(error.message().contains("\"s\" is null"), error.message());
            assertFalse(error.message().contains("REPL"), error.message());
        }
    }

    @Test
    void infiniteLoopIsStoppedWithinTheLimitPlusGraceAndVariablesAreKept() throws Exception {
        try (Kernel kernel = pool.open()) {
            kernel.execute("int kept = 7;", "a", o -> {});
            long start = System.nanoTime();
            ExecuteReply reply = kernel.execute("while (true) { }", "loop", o -> {});
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.TIMEOUT, reply.status());
            assertTrue(millis < LIMIT.toMillis() + pool.settings().grace().toMillis() + 500, "took " + millis + " ms");
            assertFalse(reply.restarted());
            assertTrue(reply.error().orElseThrow().message().contains("time limit"));
            assertEquals("7", value(kernel.execute("kept", "b", o -> {})));
        }
    }

    @Test
    void loopThatCatchesEveryThrowableIsStillStopped() throws Exception {
        try (Kernel kernel = pool.open()) {
            long start = System.nanoTime();
            ExecuteReply reply = kernel.execute("while (true) { try { while (true) { } } catch (Throwable t) { } }", "loop", o -> {});
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.TIMEOUT, reply.status());
            assertTrue(millis < LIMIT.toMillis() + pool.settings().grace().toMillis() + 1500, "took " + millis + " ms");
            assertEquals("2", value(kernel.execute("1 + 1", "b", o -> {})));
        }
    }

    @Test
    void cellStuckInsideLibraryCodeIsKilledAndTheKernelRestarts() throws Exception {
        try (Kernel kernel = pool.open()) {
            kernel.execute("int lost = 1;", "a", o -> {});
            long pid = kernel.pid();
            // the restart takes a warm kernel from the pool; wait for one, so this measures stopping, not JVM start-up
            for (int i = 0; i < 600 && pool.warmCount() == 0; i++) Thread.sleep(100);
            long start = System.nanoTime();
            // join() waits inside the JDK, where JShell's stop checks are not woven, and ignores interrupts
            ExecuteReply reply = kernel.execute("new java.util.concurrent.CompletableFuture<Void>().join();", "stuck", o -> {});
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Status.TIMEOUT, reply.status());
            assertTrue(reply.restarted());
            assertTrue(millis < LIMIT.toMillis() + pool.settings().grace().toMillis() + 1500, "took " + millis + " ms");
            assertTrue(reply.error().orElseThrow().message().contains("restarted"));
            assertNotEquals(pid, kernel.pid());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the old JVM is dead");
            assertEquals("2", value(kernel.execute("1 + 1", "b", o -> {})), "the new kernel works");
            assertEquals(Status.ERROR, kernel.execute("lost", "c", o -> {}).status(), "variables are gone");
        }
    }

    @Test
    void anInterruptRightAfterRunStopsTheLoopEvenWhileItIsStillCompiling() throws Exception {
        try (Kernel kernel = pool.open()) {
            assertEquals("2", value(kernel.execute("1 + 1", "warm", o -> {})));
            for (int attempt = 0; attempt < 3; attempt++) {
                var reply = new java.util.concurrent.CompletableFuture<ExecuteReply>();
                Thread.ofPlatform().start(() -> reply.complete(kernel.execute("long n = 0;\nwhile (true) { n++; }", "loop", o -> {})));
                while (!kernel.busy()) Thread.onSpinWait();
                kernel.interrupt();                        // at once: JShell is most likely still compiling the cell
                ExecuteReply r = reply.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals(Status.INTERRUPTED, r.status(), "attempt " + attempt + ": " + r);
                assertFalse(r.restarted(), "stopped, not killed");
            }
            assertEquals("4", value(kernel.execute("2 + 2", "after", o -> {})), "the kernel kept working");
        }
    }

    @Test
    void systemExitRestartsTheKernelWithAMessage() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("System.out.println(\"bye\");\nSystem.exit(3);", "x", o -> {});
            assertEquals(Status.RESTARTED, reply.status());
            assertTrue(reply.restarted());
            assertTrue(reply.error().orElseThrow().message().contains("exit code 3"), reply.error().toString());
            assertEquals("4", value(kernel.execute("2 + 2", "y", o -> {})));
        }
    }

    @Test
    void outputFloodIsCapped() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply lines = kernel.execute("for (int i = 0; i < 2_000_000; i++) System.out.println(\"line \" + i);", "flood", o -> {});
            long bytes = lines.outputs().stream().mapToLong(Output::weight).sum();
            assertTrue(bytes <= pool.settings().outputCap() + 1024, "got " + bytes + " bytes");
            assertTrue(lines.outputs().stream().anyMatch(o -> o instanceof Output.Stream s && s.text().contains("[output truncated")));
            ExecuteReply giant = kernel.execute("System.out.print(\"x\".repeat(50_000_000));", "giant", o -> {});
            assertTrue(giant.outputs().stream().mapToLong(Output::weight).sum() <= pool.settings().outputCap() + 1024);
            assertEquals("2", value(kernel.execute("1 + 1", "after", o -> {})));
        }
    }

    @Test
    void stdinIsEmptyNotTheProtocol() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("System.in.read()", "in", o -> {});
            assertEquals("-1", value(reply));
        }
    }

    @Test
    void displaySendsRichOutputWithAPlainTextFallback() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("System.out.println(\"before\");\nDisplay.heatmap(\"m\", new float[][]{{1, 2}, {3, -4}});\nDisplay.table(new String[]{\"a\"}, new Object[][]{{1}});", "d", o -> {});
            assertEquals(Status.OK, reply.status(), reply.toString());
            assertTrue(reply.outputs().getFirst() instanceof Output.Stream, "text printed before a display comes first");
            Output.DisplayData heatmap = (Output.DisplayData) reply.outputs().get(1);
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) heatmap.data().get("application/vnd.glassbox.heatmap+json");
            assertEquals(2, payload.get("rows"));
            assertEquals(List.of(1.0, 2.0, 3.0, -4.0), payload.get("data"));
            assertEquals(-4.0, ((Number) payload.get("min")).doubleValue());
            assertTrue(((Output.DisplayData) reply.outputs().get(2)).data().containsKey("application/vnd.glassbox.table+json"));
        }
    }

    @Test
    void vectorApiIsAvailableInCells() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("var s = FloatVector.SPECIES_PREFERRED;\nFloatVector.broadcast(s, 2f).reduceLanes(VectorOperators.ADD) / s.length()", "v", o -> {});
            assertEquals("2.0", value(reply), reply.toString());
        }
    }

    @Test
    void checksPassOrFailWithTheAssertionMessageAndLeaveNoTrace() throws Exception {
        try (Kernel kernel = pool.open()) {
            kernel.execute("int sq(int x) { return x * x; }", "ex", o -> {});
            ExecuteReply pass = kernel.check("int probe = sq(3);\nassertEquals(9, probe, \"sq(3)\");");
            assertEquals(Status.OK, pass.status(), pass.toString());
            ExecuteReply fail = kernel.check("assertEquals(10, sq(3), \"sq(3)\");");
            assertEquals(Status.ERROR, fail.status());
            assertTrue(fail.error().orElseThrow().message().contains("sq(3) ==> expected: <10> but was: <9>"), fail.toString());
            assertEquals(Status.ERROR, kernel.execute("probe", "after", o -> {}).status(), "check variables do not leak");
        }
    }

    @Test
    void completionComesFromJShell() throws Exception {
        try (Kernel kernel = pool.open()) {
            kernel.execute("String greeting = \"hi\";", "a", o -> {});
            String cell = "int n = 1;\ngreeting.len";
            KernelMessage.Completions completions = kernel.complete(cell, cell.length());
            assertEquals(cell.length() - 3, completions.from());
            assertTrue(completions.options().stream().anyMatch(o -> o.label().equals("length()")), completions.toString());
        }
    }

    @Test
    void oversizedCellIsRejectedBeforeCompiling() throws Exception {
        try (Kernel kernel = pool.open()) {
            ExecuteReply reply = kernel.execute("int x = 1;\n".repeat(20_000), "big", o -> {});
            assertEquals(Status.REJECTED, reply.status());
            assertTrue(reply.error().orElseThrow().message().contains("at most"));
        }
    }
}
