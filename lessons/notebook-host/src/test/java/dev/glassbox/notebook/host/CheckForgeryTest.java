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
     * The seal's key is in the kernel's memory, so a cell must have no way to read it there: not through
     * {@code /proc/self/mem} (a process may always read its own; the sandbox has no {@code /proc}), and not in a heap
     * dump of the JDK's diagnostic beans, which a cell can write and read back, dead objects included (the key is never on the heap). It
     * cannot write to its own standard input either ({@code /proc/self/fd/0}, {@code /dev/stdin}), so a stolen request
     * is gone for good.
     */
    @Test
    void aCellCanNeitherFindTheKeyInTheKernelsMemoryNorWriteToItsInput() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        Sandbox detected = Sandbox.detect();
        org.junit.jupiter.api.Assumptions.assumeTrue(detected.available(), "the kernel's /proc is the sandbox's: " + detected.describe());
        // room in /scratch for a whole heap dump, dead objects too (in 64 MB a dump fails, but a cell could make its heap small)
        Sandbox.Limits limits = Sandbox.Limits.defaults();
        Sandbox sandbox = detected.withLimits(new Sandbox.Limits(limits.memoryBytes(), limits.pids(), limits.cpuCores(), 512L << 20,
                limits.scratchInodes(), limits.openFiles(), 512L << 20));
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            List<String> out = new ArrayList<>();
            ExecuteReply reply = kernel.execute("""
                    for (String path : new String[] {"/proc/self/mem", "/proc/1/mem", "/proc/2/mem", "/proc/self/maps"}) {
                        try (var memory = new java.io.RandomAccessFile(path, "r")) {
                            System.out.println("read " + path);
                        } catch (Exception e) { System.out.println("refused " + path); }
                    }
                    for (String path : new String[] {"/proc/self/fd/0", "/dev/stdin", "/dev/fd/0"}) {
                        try (var input = new FileOutputStream(path)) {
                            System.out.println("wrote " + path);
                        } catch (Exception e) { System.out.println("refused " + path); }
                    }
                    """, "cell", o -> {
                        if (o instanceof Output.Stream text) out.add(text.text());
                    });
            String printed = String.join("", out);
            assertEquals(Status.OK, reply.status(), printed + reply);
            for (String path : List.of("/proc/self/mem", "/proc/1/mem", "/proc/2/mem", "/proc/self/maps", "/proc/self/fd/0", "/dev/stdin", "/dev/fd/0")) {
                assertTrue(printed.contains("refused " + path + "\n"), path + ": " + printed);
            }
            assertFalse(printed.contains("read ") || printed.contains("wrote "), printed);

            // a heap dump, dead objects too, searched for the key's bytes and its base64 text
            String key = kernel.process().key().key();
            // the cell gets the key disguised (each byte flipped, the text reversed) and undoes that after the dump:
            // its own code and strings are on the heap too
            StringBuilder bytes = new StringBuilder();
            for (byte b : java.util.Base64.getDecoder().decode(key)) bytes.append(~b).append(',');
            out.clear();
            ExecuteReply dump = kernel.execute("""
                    var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                    bean.dumpHeap("heap.hprof", false);
                    byte[] heap = Files.readAllBytes(Path.of("heap.hprof"));
                    Files.delete(Path.of("heap.hprof"));
                    byte[] key = new byte[] {BYTES};
                    for (int i = 0; i < key.length; i++) key[i] = (byte) ~key[i];
                    byte[] text = new StringBuilder("KEY").reverse().toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    int found = 0;
                    for (byte[] what : new byte[][] {key, text}) {
                        for (int i = 0; i + what.length <= heap.length; i++) {
                            if (java.util.Arrays.equals(heap, i, i + what.length, what, 0, what.length)) found++;
                        }
                    }
                    System.out.println("dump of " + heap.length + " bytes, key found " + found + " times");
                    """.replace("BYTES", bytes).replace("KEY", new StringBuilder(key).reverse()), "cell", o -> {
                        if (o instanceof Output.Stream text) out.add(text.text());
                    });
            printed = String.join("", out);
            assertEquals(Status.OK, dump.status(), printed + dump);
            assertTrue(printed.matches("(?s)dump of \\d{7,} bytes, key found 0 times\n"), printed);
        }
    }

    /**
     * Threads of the learner's steal what the server writes to the kernel (a process can read its own standard input),
     * and answer the check they find there with a reply of their own. The check never passes: the reply has no seal.
     * (Putting back a request with the check's id and other code would need a way to write to the kernel's own
     * input, which the sandbox does not have: {@link #aCellCanNeitherFindTheKeyInTheKernelsMemoryNorWriteToItsInput}.)
     */
    @Test
    void aStolenCheckCanBeNeitherAnsweredNorSwapped() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(10)).withPoolSize(1);
        String check = "org.junit.jupiter.api.Assertions.fail(\"the right answer was not computed\");";
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = ForgedMessageTest.warm(pool).open()) {
            boolean forgeryReachedTheServer = false;
            for (int attempt = 0; attempt < 6 && !forgeryReachedTheServer; attempt++) {
                assertEquals(Status.OK, kernel.execute(THIEVES, "cell", o -> { }).status());
                // the runtime's reader waited for input before the thieves did, so it usually gets the next line (a
                // pipe tends to wake its readers in turn): this one, after which the thieves are ahead of it
                ExecuteReply spacer = kernel.execute("int spacer = 1;", "cell", o -> { });
                if (spacer.status() == Status.TIMEOUT) {
                    // a thief took the spacer (it answers only checks), so it never ran; the time limit restarted
                    // the kernel, and the next try starts there
                    assertTrue(spacer.restarted(), spacer.toString());
                    continue;
                }
                assertEquals(Status.OK, spacer.status(), spacer.toString());
                ExecuteReply reply = kernel.check(check);
                assertTrue(reply.status() != Status.OK, "a stolen check must not pass: " + reply);
                if (reply.status() == Status.RESTARTED) {
                    assertTrue(reply.error().orElseThrow().message().contains("without the kernel's seal"), reply.toString());
                    forgeryReachedTheServer = true;
                } else {
                    // the runtime read the check before the thieves did, and ran it; the thieves would take whatever
                    // comes next, so the next try starts in a new kernel
                    assertTrue(reply.error().orElseThrow().message().contains("the right answer was not computed"), reply.toString());
                    kernel.restart();
                }
            }
            assertTrue(forgeryReachedTheServer, "eight thieves never stole the check in six tries, so this test tested nothing");
        }
    }

    /**
     * Eight threads that read the kernel's standard input and answer the first check request they find. They never
     * close what they read from: closing it would close the kernel's standard input for the runtime too.
     */
    private static final String THIEVES = """
            var stolen = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable thief = () -> {
                var in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in)));
                var wire = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                try {
                    for (String line; (line = in.readLine()) != null; ) {
                        var id = java.util.regex.Pattern.compile("\\"id\\":(\\\\d+)").matcher(line);
                        if (!line.contains("\\"check\\":true") || !id.find() || !stolen.compareAndSet(false, true)) continue;
                        wire.println("{'type':'reply','id':ID,'status':'ok','executionCount':0,'seal':'AAAA'}".replace("ID", id.group(1)).replace('\\'', '"'));
                    }
                } catch (IOException e) { }
            };
            for (int i = 0; i < 8; i++) { var t = new Thread(thief); t.setDaemon(true); t.start(); }
            """;
}
