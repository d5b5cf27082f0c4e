package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.notebook.host.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The memory budget of all kernels, over HTTP with real kernels in a real cgroup: health shows it, a kernel holding
 * off-heap memory is closed when it is idle to let a new learner in (and its learner hears why), and when the
 * kernels that fill the budget are all running cells, a new kernel is refused with 503 and a clear message.
 */
class MemoryBudgetApiTest {
    @TempDir
    static Path data;
    static App app;
    static long budget;
    static ClassFixture klass;

    @BeforeAll
    static void start() throws Exception {
        Sandbox sandbox = Sandbox.detect();
        assumeTrue(sandbox.available() && sandbox.resourceLimits(), "needs bubblewrap and writable cgroups: " + sandbox.describe());
        budget = sandbox.perKernel().memoryBytes() + (640L << 20);
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(60))
                .withPoolSize(0).withMemoryBudget(budget);
        klass = ClassFixture.start(new App.Settings("127.0.0.1", 0, data, null, kernels).withSandbox(sandbox));   // several learners: a class
        app = klass.app;
    }

    @AfterAll
    static void stop() {
        if (klass != null) klass.close();
    }

    /** Takes 700 MB through an FFM arena (off the heap, past -Xmx and -XX:MaxDirectMemorySize), touching every page. */
    static final String OFF_HEAP = """
            var arena = java.lang.foreign.Arena.ofShared();
            var held = arena.allocate(700L << 20);
            for (long o = 0; o < held.byteSize(); o += 4096) held.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o, (byte) 1);
            """;

    @Test
    void idleKernelsMakeRoomAndBusyOnesMakeANewKernelWait() throws Exception {
        Browserless anyone = new Browserless(app.port());
        JsonNode health = Browserless.json(anyone.get("/api/health"));
        JsonNode shown = health.get("limits").get("memoryBudget");
        assertEquals(budget, shown.get("limitBytes").asLong(), health.toString());
        assertEquals("cgroup", shown.get("enforced").asText(), health.toString());

        // An idle kernel holding 700 MB off the heap is closed to let another learner in; its learner hears why.
        Browserless first = klass.student("Learner");
        String hoarded = first.openKernel();
        assertEquals("ok", first.execute(hoarded, OFF_HEAP).get("status").asText());
        Browserless second = klass.student("Learner");
        String theirs = second.openKernel();
        HttpResponse<String> gone = first.call("POST", "/api/kernels/" + hoarded + "/execute", Map.of("code", "1"));
        assertEquals(404, gone.statusCode(), gone.body());
        assertTrue(gone.body().contains("to make room for other kernels"), gone.body());

        // The same memory held by a kernel that is running a cell: nothing may be closed, so a third learner waits.
        CompletableFuture<JsonNode> busy = CompletableFuture.supplyAsync(() -> {
            try {
                return second.execute(theirs, OFF_HEAP + "Thread.sleep(20_000);");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        var pool = app.deps().kernels().pool();
        for (int i = 0; i < 300 && pool.memoryBudget().roomForAnotherKernel(); i++) Thread.sleep(100);   // the arena is taken
        assertTrue(!pool.memoryBudget().roomForAnotherKernel(), "the running cell fills the budget: " + pool.memoryBudget());
        Browserless third = klass.student("Learner");
        HttpResponse<String> refused = third.call("POST", "/api/kernels", null);
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(Browserless.json(refused).get("error").asText().contains("use all the memory the server gives them"), refused.body());
        assertEquals("60", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals("ok", busy.get().get("status").asText());
        assertTrue(app.deps().kernels().size() <= 1, "only the running kernel is left: " + app.deps().kernels().all());
    }
}
