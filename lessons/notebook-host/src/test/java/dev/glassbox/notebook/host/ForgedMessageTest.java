package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.notebook.protocol.Output;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cell that writes protocol lines of its own to the kernel's real standard output: a malformed one
 * (a missing payload, a missing status) gets its kernel killed and replaced at once, with a clear message,
 * instead of an exception in the server that would leave the cell running without its time limit.
 */
class ForgedMessageTest {
    /** Opens the kernel's real standard output; the current request's id is the runtime's secret (CheckForgeryTest), so 0. */
    static final String PRELUDE = """
            long id = 0;
            var wire = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
            """;

    @TempDir
    Path scratch;

    @Test
    void aMalformedMessageKillsAndReplacesTheKernel() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = warm(pool).open()) {
            List<String> forgeries = List.of(          // ' for ", ID for the request's id
                    "{'type':'output','id':ID,'output':null}",
                    "{'type':'reply','id':ID,'status':null,'executionCount':1}",
                    "{'type':'reply','id':ID,'status':'passed','executionCount':1}");   // no such status
            for (String forged : forgeries) {
                assertEquals(Status.OK, kernel.execute("int before = 1;", "cell", o -> { }).status());
                long sent = System.nanoTime();
                ExecuteReply reply = kernel.execute(PRELUDE + "wire.println(\"" + forged
                        + "\".replace(\"ID\", Long.toString(id)).replace('\\'', '\"'));\nThread.sleep(600_000);", "cell", o -> { });
                long took = (System.nanoTime() - sent) / 1_000_000;
                assertEquals(Status.RESTARTED, reply.status(), forged + " -> " + reply);
                assertTrue(reply.restarted());
                assertTrue(reply.error().orElseThrow().message().contains("broke its protocol"), reply.toString());
                assertTrue(kernel.stops().getLast().reason().contains("broke its protocol"), "remembered for the teacher: " + kernel.stops());
                assertTrue(took < 60_000, "stopped when it sent the message, not at the time limit (" + took + " ms)");
                assertEquals(Status.ERROR, kernel.execute("before", "cell", o -> { }).status(), "a new kernel, without the old variables");
                assertEquals(Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
            }
        }
    }

    @Test
    void aKernelFloodingTheServerIsKilledBeforeItsOutputIsDecoded() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = warm(pool).open()) {
            // 48 well-formed protocol lines of 1 MB each, straight to fd 1: far past what the server reads for one cell
            String cell = PRELUDE + """
                    String line = "{'type':'output','id':ID,'output':{'output_type':'stream','name':'stdout','text':'".replace("ID", Long.toString(id))
                            .replace('\\'', '"') + "x".repeat(1 << 20) + "\\"}}";
                    for (int i = 0; i < 48; i++) wire.println(line);
                    Thread.sleep(600_000);
                    """;
            List<Output> seen = new java.util.ArrayList<>();
            ExecuteReply reply = kernel.execute(cell, "cell", seen::add);
            assertEquals(Status.RESTARTED, reply.status(), "killed for the flood, not left to its time limit: " + reply.status());
            assertTrue(reply.error().orElseThrow().message().contains("past every output cap"), reply.error().toString());
            long shown = seen.stream().mapToLong(Output::weight).sum();
            assertTrue(shown < settings.outputCap() + (512 << 10), "what reached the listener is bounded: " + shown + " bytes");
            assertEquals(Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
        }
    }

    @Test
    void aFiftyMegabyteLineIsNotReadPastTheFloodBound() throws Exception {
        KernelSettings settings = KernelSettings.defaults(scratch).withTimeLimit(Duration.ofSeconds(60)).withPoolSize(1);
        try (KernelPool pool = new KernelPool(settings, Sandbox.detect()); Kernel kernel = warm(pool).open()) {
            // one line of 50 MB straight to fd 1: never kept whole, and every byte of it counts against the cell's bound
            String cell = PRELUDE + """
                    byte[] x = new byte[1 << 20];
                    Arrays.fill(x, (byte) 'x');
                    for (int i = 0; i < 50; i++) wire.write(x);
                    wire.println();
                    Thread.sleep(600_000);
                    """;
            long sent = System.nanoTime();
            ExecuteReply reply = kernel.execute(cell, "cell", o -> { });
            long took = (System.nanoTime() - sent) / 1_000_000;
            assertEquals(Status.RESTARTED, reply.status(), "killed for the flood, not left to its time limit: " + reply);
            assertTrue(reply.error().orElseThrow().message().contains("past every output cap"), reply.error().toString());
            assertTrue(took < 30_000, "stopped when it had written too much (" + took + " ms)");
            assertEquals(Status.OK, kernel.execute("1 + 1", "cell", o -> { }).status());
        }
    }

    /** Waits (up to 4 min, on a busy machine) for the pool's kernel, which starts in the background with a longer time limit. */
    static KernelPool warm(KernelPool pool) throws InterruptedException {
        for (int i = 0; i < 480 && pool.warmCount() == 0; i++) Thread.sleep(500);
        return pool;
    }
}
