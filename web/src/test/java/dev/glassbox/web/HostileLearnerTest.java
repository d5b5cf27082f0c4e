package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.server.ServerLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One learner who tries to slow down or break the server for the others, over real HTTP with real
 * kernels: the others' cells still run at once, and the server answers the hostile learner with a clear
 * message, never a 500.
 */
class HostileLearnerTest {
    static final Duration TIME_LIMIT = Duration.ofSeconds(20);

    @TempDir
    static Path data;
    static ClassFixture klass;
    static App app;

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(TIME_LIMIT).withPoolSize(3);
        ServerLimits limits = ServerLimits.defaults().withMaxKernels(4).withRunningCells(2);
        klass = ClassFixture.start(new App.Settings("127.0.0.1", 0, data, null, kernels).withLimits(limits));
        app = klass.app;
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @AfterEach
    void closeKernels() {
        var registry = app.deps().kernels();
        for (var k : registry.all()) registry.close(k.id(), k.learnerId());
    }

    @Test
    void cellsSentAllAtOnceHoldOneSlotAndTheClassKeepsTheRest() throws Exception {
        Browserless hoarder = klass.student("Learner");
        Browserless other = klass.student("Learner");
        String first = hoarder.openKernel();
        String second = hoarder.openKernel();
        String theirs = other.openKernel();
        String nap = "Thread.sleep(2500); 1";
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(CompletableFuture.supplyAsync(() -> execute(hoarder, first, nap)));
            Thread.sleep(50);
        }
        for (int i = 0; i < 2; i++) sent.add(CompletableFuture.supplyAsync(() -> execute(hoarder, second, nap)));
        Thread.sleep(800);                                  // every hoarded cell has reached the server
        long asked = System.nanoTime();
        JsonNode reply = other.execute(theirs, "1 + 1");
        long took = (System.nanoTime() - asked) / 1_000_000;
        assertEquals("ok", reply.get("status").asText(), reply.toString());
        assertTrue(reply.get("timing").get("queuedMillis").asDouble() < 1000 && took < 2000,
                "another learner's cell ran at once, not after the hoarded ones (" + took + " ms, " + reply.get("timing") + ")");
        int refused = 0;
        int ok = 0;
        for (var f : sent) {
            HttpResponse<String> r = f.get();
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = Browserless.json(r);
            if (answer.get("status").asText().equals("ok")) ok++;
            else if (answer.get("outputs").get(0).get("ename").asText().equals("KernelBusy")) refused++;
            else throw new AssertionError("unexpected answer: " + r.body());
        }
        assertEquals(1, refused, "a kernel keeps one running cell and four waiting; the sixth is refused");
        assertEquals(7, ok);
    }

    @Test
    void longCellsOfAFewLearnersDoNotKeepTheClassWaitingForASlot() throws Exception {
        // as many sleepers as the server has slots: each holds a slot only for its first seconds
        int slots = app.deps().cells().slots();
        List<CompletableFuture<HttpResponse<String>>> sleeping = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            Browserless sleeper = klass.student("Learner");
            String kernel = sleeper.openKernel();
            // a thread each (the common pool may have one thread on a small machine)
            sleeping.add(CompletableFuture.supplyAsync(() -> execute(sleeper, kernel, "Thread.sleep(15_000); 1"),
                    r -> Thread.ofVirtual().start(r)));
        }
        Browserless other = klass.student("Learner");
        String theirs = other.openKernel();
        Thread.sleep(5000);                                 // every sleeper runs, past ServerLimits.longCell (2 s)
        JsonNode reply = other.execute(theirs, "1 + 1");
        assertEquals("ok", reply.get("status").asText(), reply.toString());
        assertTrue(reply.get("timing").get("queuedMillis").asDouble() < 1000,
                "another learner's cell did not wait for the sleepers' slots: " + reply.get("timing"));
        for (var f : sleeping) assertEquals("ok", Browserless.json(f.get()).get("status").asText());
        assertEquals(0, app.deps().cells().running(), "every slot is back");
    }

    /** Opens the kernel's real standard output; the current request's id is the runtime's secret (CheckForgeryTest), so 0. */
    static final String REQUEST_ID = """
            long id = 0;
            var wire = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
            """;

    @Test
    void aMalformedMessageRestartsTheKernelWithAClearMessageAndNo500() throws Exception {
        Browserless learner = klass.student("Learner");
        String kernel = learner.openKernel();
        List<String> forgeries = List.of(          // ' for ", ID for the request's id
                "{'type':'output','id':ID,'output':null}",
                "{'type':'reply','id':ID,'status':null,'executionCount':1}");
        for (String forged : forgeries) {
            assertEquals("ok", learner.execute(kernel, "int before = 1;").get("status").asText());
            long sent = System.nanoTime();
            HttpResponse<String> r = execute(learner, kernel, REQUEST_ID + "wire.println(\"" + forged
                    + "\".replace(\"ID\", Long.toString(id)).replace('\\'', '\"'));\nThread.sleep(600_000);");
            long took = (System.nanoTime() - sent) / 1_000_000;
            assertEquals(200, r.statusCode(), forged + " -> " + r.body());
            JsonNode answer = Browserless.json(r);
            assertEquals("restarted", answer.get("status").asText(), r.body());
            assertTrue(answer.get("outputs").toString().contains("broke its protocol"), r.body());
            assertTrue(took < 300_000, "the kernel was stopped when it sent the message, not left to sleep its 600 s (" + took + " ms)");
            assertEquals(0, app.deps().cells().running(), "the slot was given back");
            JsonNode next = learner.execute(kernel, "before");
            assertEquals("error", next.get("status").asText(), "a new kernel, without the old variables: " + next);
            assertEquals("2", learner.execute(kernel, "1 + 1").get("outputs").get(0).get("data").get("text/plain").asText());
        }
    }

    @Test
    void aStreamingClientThatStopsReadingCostsTheServerBoundedMemoryAndNoSlot() throws Exception {
        Browserless learner = klass.student("Learner");
        Browserless other = klass.student("Learner");
        String kernel = learner.openKernel();
        String theirs = other.openKernel();
        assertEquals("ok", learner.execute(kernel, "1").get("status").asText());
        // Three million empty lines straight to the protocol's stdout (past the kernel's own caps), then a long sleep.
        String flood = """
                var raw = new FileOutputStream(FileDescriptor.out);
                byte[] lines = new byte[1 << 20];
                Arrays.fill(lines, (byte) '\\n');
                for (int i = 0; i < 3; i++) raw.write(lines);
                raw.flush();
                Thread.sleep(600_000);
                """;
        java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        byte[] body = dev.glassbox.web.server.Json.write(Map.of("code", flood)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket stalled = new java.net.Socket()) {
            stalled.setReceiveBufferSize(2048);                 // a client that reads nothing, with a small window
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", app.port()));
            String head = "POST /api/kernels/" + kernel + "/execute HTTP/1.1\r\nHost: localhost:" + app.port()
                    + "\r\nOrigin: " + learner.base + "\r\nX-CSRF-Token: " + learner.csrf + "\r\nCookie: " + learner.cookieHeader()
                    + "\r\nAccept: application/x-ndjson\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            stalled.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            stalled.getOutputStream().write(body);
            stalled.getOutputStream().flush();
            long sent = System.nanoTime();
            Thread.sleep(1500);                                 // the cell runs and floods
            // The class goes on, and the flooding cell gives its slot back although its client reads nothing.
            assertEquals("ok", other.execute(theirs, "1 + 1").get("status").asText());
            while (app.deps().cells().running() > 0 && System.nanoTime() - sent < 15_000_000_000L) Thread.sleep(100);
            assertEquals(0, app.deps().cells().running(), "the cell's slot is back within 15 s, whatever its client does");
            System.gc();
            long grown = memory.getHeapMemoryUsage().getUsed() - before;
            assertTrue(grown < 64L << 20, "the server's heap grew by " + (grown >> 20) + " MB for a client that reads nothing");
        }
        JsonNode next = learner.execute(kernel, "2 + 2");
        assertEquals("4", next.get("outputs").get(next.get("outputs").size() - 1).get("data").get("text/plain").asText(), next.toString());
    }

    static HttpResponse<String> execute(Browserless learner, String kernel, String code) {
        try {
            return learner.call("POST", "/api/kernels/" + kernel + "/execute", Map.of("code", code));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
