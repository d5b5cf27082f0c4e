package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.server.ServerLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's own protections, over real HTTP with real kernels: a cap on kernels in total, a rate
 * limit on restarts, one running cell at a time with a fair queue whose waiting does not count against a
 * cell's time limit, and display payloads capped whatever the kernel sends.
 */
class LimitsTest {
    /** Long, so that a loaded machine (CI, other tests) cannot make a cell time out by accident. */
    static final Duration TIME_LIMIT = Duration.ofSeconds(20);

    @TempDir
    static Path data;
    static ClassFixture klass;
    static App app;

    @BeforeAll
    static void start() throws Exception {
        // Three warm kernels: every test opens new ones (the last test's were closed), and a warm one is ready at once.
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(TIME_LIMIT).withPoolSize(3);
        // cells keep their slot however long they run: the queue's turns are what is measured here
        ServerLimits limits = ServerLimits.defaults().withMaxKernels(3).withRunningCells(1).withRestartsPerMinute(2)
                .withLongCell(Duration.ofMinutes(5));
        klass = ClassFixture.start(new App.Settings("127.0.0.1", 0, data, null, kernels).withLimits(limits));   // several learners: a class
        app = klass.app;
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** Every test starts with no kernel open, whatever the last one left behind. */
    @AfterEach
    void closeKernels() {
        var registry = app.deps().kernels();
        for (var k : registry.all()) registry.close(k.id(), k.learnerId());
    }

    @Test
    void queuedCellsTakeTurnsAndTheirTimeLimitStartsWhenTheyRun() throws Exception {
        Browserless first = klass.student("Learner");
        Browserless second = klass.student("Learner");
        String k1 = first.openKernel();
        String k2 = second.openKernel();
        // Each cell takes 60% of the time limit: run one after the other, the second finishes after more
        // than the limit has passed since it was sent, so it passes only if its wait is not counted.
        String nap = "Thread.sleep(" + TIME_LIMIT.toMillis() * 6 / 10 + "); \"rested\"";
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> streamed(first, k1, nap));
        Thread.sleep(300);                                  // the first one holds the slot
        List<TimedLine> timed = streamedLines(second, k2, nap);
        long took = (System.nanoTime() - started) / 1_000_000;
        List<String> linesB = timed.stream().map(TimedLine::text).toList();
        JsonNode replyB = Json.MAPPER.readTree(linesB.getLast()).get("reply");
        assertEquals("ok", lastReply(a.get()).get("status").asText(), a.get().body());
        assertEquals("ok", replyB.get("status").asText(), linesB.toString());
        assertTrue(took > TIME_LIMIT.toMillis(), "the cells ran one after the other (" + took + " ms)");
        assertTrue(linesB.getFirst().startsWith("{\"waiting\":{\"ahead\":1}"), "the second cell was told it waits: " + linesB.getFirst());
        assertEquals("{\"started\":true}", linesB.get(1));
        long waited = timed.get(1).millis() - timed.get(0).millis();
        assertTrue(waited > TIME_LIMIT.toMillis() / 3, "the page hears it waits while it waits, not at the end (" + waited + " ms between the lines)");
        assertTrue(replyB.get("millis").asLong() < TIME_LIMIT.toMillis(), "millis count from the start of the run: " + replyB);
        first.call("DELETE", "/api/kernels/" + k1, null);
        second.call("DELETE", "/api/kernels/" + k2, null);
    }

    private static HttpResponse<String> streamed(Browserless learner, String kernel, String code) {
        try {
            return learner.send("POST", "/api/kernels/" + kernel + "/execute", Map.of("code", code),
                    Map.of("X-CSRF-Token", learner.csrf, "Origin", learner.base, "Accept", "application/x-ndjson"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A line of a streamed answer and when it arrived (ms since the request was sent). */
    record TimedLine(long millis, String text) {}

    private static List<TimedLine> streamedLines(Browserless learner, String kernel, String code) throws Exception {
        long sent = System.nanoTime();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(learner.base + "/api/kernels/" + kernel + "/execute"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Json.write(Map.of("code", code))))
                .header("Content-Type", "application/json").header("Accept", "application/x-ndjson")
                .header("X-CSRF-Token", learner.csrf).header("Origin", learner.base).build();
        try (var lines = learner.http.send(request, HttpResponse.BodyHandlers.ofLines()).body()) {
            return lines.map(l -> new TimedLine((System.nanoTime() - sent) / 1_000_000, l)).toList();
        }
    }

    private static JsonNode lastReply(HttpResponse<String> streamed) throws Exception {
        return Json.MAPPER.readTree(streamed.body().lines().toList().getLast()).get("reply");
    }

    @Test
    void interruptingAQueuedCellCancelsIt() throws Exception {
        Browserless busy = klass.student("Learner");
        Browserless waiting = klass.student("Learner");
        String k1 = busy.openKernel();
        String k2 = waiting.openKernel();
        CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> streamed(busy, k1, "Thread.sleep(2500); 1"));
        Thread.sleep(300);
        CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> streamed(waiting, k2, "int ranAnyway = 1;"));
        Thread.sleep(500);
        HttpResponse<String> interrupt = waiting.call("POST", "/api/kernels/" + k2 + "/interrupt", null);
        assertEquals(200, interrupt.statusCode());
        assertEquals("interrupting", Json.MAPPER.readTree(interrupt.body()).get("status").asText(), "a waiting cell was there to stop");
        JsonNode reply = lastReply(b.get());
        assertEquals("interrupted", reply.get("status").asText(), b.get().body());
        assertTrue(reply.get("outputs").get(0).get("message").asText().contains("before it started"), reply.toString());
        assertEquals("ok", lastReply(a.get()).get("status").asText());
        assertEquals("error", waiting.execute(k2, "ranAnyway").get("status").asText(), "the cancelled cell never ran");
        // Nothing runs now: the browser is told, so that it asks again when its cell is still on the way.
        assertEquals("idle", Json.MAPPER.readTree(waiting.call("POST", "/api/kernels/" + k2 + "/interrupt", null).body()).get("status").asText());
        busy.call("DELETE", "/api/kernels/" + k1, null);
        waiting.call("DELETE", "/api/kernels/" + k2, null);
    }

    @Test
    void restartsAreRateLimitedPerLearner() throws Exception {
        Browserless learner = klass.student("Learner");
        Browserless other = klass.student("Learner");
        String kernel = learner.openKernel();
        assertEquals(200, learner.call("POST", "/api/kernels/" + kernel + "/restart", null).statusCode());
        assertEquals(200, learner.call("POST", "/api/kernels/" + kernel + "/restart", null).statusCode());
        HttpResponse<String> third = learner.call("POST", "/api/kernels/" + kernel + "/restart", null);
        assertEquals(429, third.statusCode(), third.body());
        String message = Browserless.json(third).get("error").asText();
        assertTrue(message.matches("Too many restarts: wait \\d+ s before restarting the kernel again\\."), message);
        long retryAfter = Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
        assertEquals("2", learner.execute(kernel, "1 + 1").get("outputs").get(0).get("data").get("text/plain").asText(),
                "the kernel still works");
        // the limit is the learner's, not the server's
        String otherKernel = other.openKernel();
        assertEquals(200, other.call("POST", "/api/kernels/" + otherKernel + "/restart", null).statusCode());
        other.call("DELETE", "/api/kernels/" + otherKernel, null);
        learner.call("DELETE", "/api/kernels/" + kernel, null);
    }

    @Test
    void theServerOpensNoMoreKernelsThanItsCap() throws Exception {
        List<Browserless> learners = List.of(klass.student("Learner"), klass.student("Learner"),
                klass.student("Learner"), klass.student("Learner"));
        int open = app.deps().kernels().size();
        assertTrue(open < 3, "other tests left " + open + " kernels open");
        List<String> kernels = new java.util.ArrayList<>();
        for (int i = 0; i < 3 - open; i++) kernels.add(learners.get(i).openKernel());
        HttpResponse<String> refused = learners.get(3).call("POST", "/api/kernels", null);
        assertEquals(429, refused.statusCode(), refused.body());
        assertTrue(Browserless.json(refused).get("error").asText().contains("as many kernels as it may (3)"), refused.body());
        // closing one makes room again
        assertEquals(204, learners.getFirst().call("DELETE", "/api/kernels/" + kernels.getFirst(), null).statusCode());
        String fourth = learners.get(3).openKernel();
        assertEquals(204, learners.get(3).call("DELETE", "/api/kernels/" + fourth, null).statusCode());
        for (int i = 1; i < kernels.size(); i++) learners.get(i).call("DELETE", "/api/kernels/" + kernels.get(i), null);
    }

    @Test
    void aDisplayTooLargeIsLeftOutEvenWhenTheCellWritesPastTheKernelsCaps() throws Exception {
        Browserless learner = klass.student("Learner");
        String kernel = learner.openKernel();
        // Threads of the learner's steal the next request the server sends (they read the kernel's stdin) and answer
        // it with a protocol line of their own written straight to the kernel's stdout, skipping Display's checks: a
        // 3 MB display, then a reply (without the runtime's seal, so the server replaces the kernel). They never
        // close the kernel's stdin: that would close it for the runtime too.
        String thieves = """
                var stolen = new java.util.concurrent.atomic.AtomicBoolean();
                Runnable thief = () -> {
                    var in = new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in)));
                    var out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                    var huge = "x".repeat(3 * 1024 * 1024);
                    try {
                        for (String line; (line = in.readLine()) != null; ) {
                            var id = java.util.regex.Pattern.compile("\\"id\\":(\\\\d+)").matcher(line);
                            if (!line.contains("\\"type\\":\\"execute\\"") || !id.find() || !stolen.compareAndSet(false, true)) continue;
                            out.println("{\\"type\\":\\"output\\",\\"id\\":" + id.group(1)
                                    + ",\\"output\\":{\\"output_type\\":\\"display_data\\",\\"data\\":{\\"text/plain\\":\\"" + huge + "\\"}}}");
                            out.println("{\\"type\\":\\"reply\\",\\"id\\":" + id.group(1) + ",\\"status\\":\\"ok\\",\\"executionCount\\":1,\\"seal\\":\\"AAAA\\"}");
                        }
                    } catch (IOException e) { }
                };
                for (int i = 0; i < 4; i++) { var t = new Thread(thief); t.setDaemon(true); t.start(); }
                """;
        boolean noted = false;
        // The runtime's reader waited for input before the thieves did, so it gets the next line (a pipe wakes its
        // readers in turn), and the thieves the one after: the sleep runs, and the next try's thieves cell is stolen.
        // The order is the kernel's business, so whichever cell they steal counts.
        for (int attempt = 0; attempt < 6 && !noted; attempt++) {
            for (String code : List.of(thieves, "Thread.sleep(300);\n\"after\"")) {
                HttpResponse<String> response = learner.call("POST", "/api/kernels/" + kernel + "/execute", Map.of("code", code));
                JsonNode reply = Browserless.json(response);
                String status = reply.get("status").asText();
                String shown = response.body().length() > 2000 ? response.body().substring(0, 2000) : response.body();
                // a thief may also take a request and drop it (its turn came after another had stolen): the server's
                // time limit then answers, and the kernel is kept
                assertTrue(status.equals("ok") || status.equals("timeout")
                        || status.equals("restarted") && response.body().contains("without the kernel's seal"), shown);
                assertTrue(response.body().length() < 64 * 1024, "the 3 MB display did not reach the page: " + response.body().length() + " chars");
                for (JsonNode o : reply.get("outputs")) {
                    // whichever cap meets it first says so: the kernel's host-side cap or the server's output budget
                    String text = o.path("text").asText();
                    if (text.contains("was left out") || text.contains("[output truncated")) noted = true;
                }
                if (noted) break;
            }
        }
        assertTrue(noted, "a note says what was left out");
        // and the learner's kernel works again (restarted, so that no thief is left reading its requests)
        assertEquals(200, learner.call("POST", "/api/kernels/" + kernel + "/restart", null).statusCode());
        assertEquals("2", learner.execute(kernel, "1 + 1").get("outputs").get(0).get("data").get("text/plain").asText());
        learner.call("DELETE", "/api/kernels/" + kernel, null);
    }
}
