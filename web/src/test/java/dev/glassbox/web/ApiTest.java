package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.kernel.KernelSettings;
import dev.glassbox.lessons.LessonCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON API over real HTTP, with real kernels and a real SQLite file. */
class ApiTest {
    static final String LESSON = "vectors-in-the-notebook";

    @TempDir
    static Path data;
    static App app;

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(4)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void healthAndSession() throws Exception {
        Browserless script = new Browserless(app.port());
        JsonNode health = Browserless.json(script.get("/api/health"));
        assertEquals("ok", health.get("status").asText());
        HttpResponse<String> session = script.get("/api/session");
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertTrue(Browserless.json(session).get("csrfToken").asText().length() >= 20);
    }

    @Test
    void runsCellsAndStreamsOutputs() throws Exception {
        Browserless script = new Browserless(app.port()).login();
        String kernel = script.openKernel();
        JsonNode reply = script.execute(kernel, "1 + 1");
        assertEquals("ok", reply.get("status").asText());
        assertEquals("execute_result", reply.get("outputs").get(0).get("output_type").asText());
        assertEquals("2", reply.get("outputs").get(0).get("data").get("text/plain").asText());

        HttpResponse<String> streamed = script.send("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("code", "System.out.println(\"a\"); Thread.sleep(200); System.out.println(\"b\");"),
                Map.of("X-CSRF-Token", script.csrf, "Accept", "application/x-ndjson"));
        List<String> lines = streamed.body().lines().toList();
        assertEquals("application/x-ndjson", streamed.headers().firstValue("Content-Type").orElse("").split(";")[0]);
        assertTrue(lines.size() >= 3, streamed.body());
        assertTrue(lines.getFirst().startsWith("{\"output\":"), lines.getFirst());
        assertTrue(lines.getLast().startsWith("{\"reply\":"), lines.getLast());

        JsonNode error = script.execute(kernel, "int a = 1;\nint b = a / 0;");
        assertEquals("error", error.get("status").asText());
        JsonNode out = error.get("outputs").get(0);
        assertEquals("error", out.get("output_type").asText());
        assertEquals("java.lang.ArithmeticException", out.get("ename").asText());
        assertEquals(2, out.get("line").asInt());
    }

    @Test
    void crossOriginAndTokenlessRequestsAreRefused() throws Exception {
        Browserless learner = new Browserless(app.port()).login();
        String kernel = learner.openKernel();
        String path = "/api/kernels/" + kernel + "/execute";
        Map<String, String> body = Map.of("code", "int stolen = 1;");

        // a page on another site posting with the learner's cookie, without the token
        HttpResponse<String> foreign = learner.send("POST", path, body, Map.of("Origin", "http://evil.example"));
        assertEquals(403, foreign.statusCode());
        assertTrue(Browserless.json(foreign).get("error").asText().contains("Cross-origin"));
        // same origin but no token
        assertEquals(403, learner.send("POST", path, body, Map.of()).statusCode());
        // a foreign origin even with the right token
        assertEquals(403, learner.send("POST", path, body, Map.of("Origin", "http://evil.example", "X-CSRF-Token", learner.csrf)).statusCode());
        // DNS rebinding: right token, but the Host is someone else's name
        assertEquals(403, learner.send("POST", path, body, Map.of("Host", "evil.example:" + app.port(), "X-CSRF-Token", learner.csrf)).statusCode());
        assertEquals(403, learner.get("/api/session").statusCode() == 200
                ? learner.send("GET", "/api/session", null, Map.of("Host", "evil.example")).statusCode() : 0);

        // none of them ran
        assertEquals("error", learner.execute(kernel, "stolen").get("status").asText());
    }

    @Test
    void aKernelIsOnlyReachableFromItsOwnSession() throws Exception {
        Browserless alice = new Browserless(app.port()).login();
        Browserless mallory = new Browserless(app.port()).login();
        String kernel = alice.openKernel();
        assertEquals(404, mallory.call("POST", "/api/kernels/" + kernel + "/execute", Map.of("code", "1")).statusCode());
        assertEquals(404, mallory.get("/api/kernels/" + kernel).statusCode());
        assertEquals(404, mallory.call("POST", "/api/kernels/" + kernel + "/restart", null).statusCode());
        assertEquals(404, mallory.call("DELETE", "/api/kernels/" + kernel, null).statusCode());
        assertEquals(200, alice.get("/api/kernels/" + kernel).statusCode());
        assertEquals(204, alice.call("DELETE", "/api/kernels/" + kernel, null).statusCode());
        assertEquals(404, alice.get("/api/kernels/" + kernel).statusCode());
    }

    @Test
    void badInputGetsAClearErrorAndTheServerCarriesOn() throws Exception {
        Browserless script = new Browserless(app.port()).login();
        String kernel = script.openKernel();
        HttpResponse<String> notJson = script.call("POST", "/api/kernels/" + kernel + "/execute", "{not json");
        assertEquals(400, notJson.statusCode());
        assertTrue(Browserless.json(notJson).get("error").asText().contains("not valid JSON"));
        HttpResponse<String> noCode = script.call("POST", "/api/kernels/" + kernel + "/execute", Map.of("cell", "x"));
        assertEquals(400, noCode.statusCode());
        assertTrue(Browserless.json(noCode).get("error").asText().contains("\"code\""));
        HttpResponse<String> noLesson = script.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("code", "1", "lesson", "nope", "cell", "x"));
        assertEquals(404, noLesson.statusCode());
        assertEquals(404, script.call("PUT", "/api/lessons/" + LESSON + "/cells/no-such-cell", Map.of("code", "1")).statusCode());
        assertEquals(404, script.get("/api/nothing-here").statusCode());
        assertEquals("2", script.execute(kernel, "1 + 1").get("outputs").get(0).get("data").get("text/plain").asText());
    }

    @Test
    void editsOutputsAndExerciseResultsAreSavedPerLearner() throws Exception {
        Browserless learner = new Browserless(app.port()).login();
        Browserless other = new Browserless(app.port()).login();
        JsonNode lesson = Browserless.json(learner.get("/api/lessons/" + LESSON));
        String firstCell = lesson.get("cells").get(0).get("id").asText();

        assertEquals(200, learner.call("PUT", "/api/lessons/" + LESSON + "/cells/" + firstCell, Map.of("code", "// mine\n1 + 2")).statusCode());
        JsonNode mine = Browserless.json(learner.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell);
        assertEquals("// mine\n1 + 2", mine.get("code").asText());
        assertTrue(mine.get("edited").asBoolean());
        JsonNode theirs = Browserless.json(other.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell);
        assertFalse(theirs.get("edited").asBoolean(), "another learner sees the original");

        String kernel = learner.openKernel();
        JsonNode run = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("code", "// mine\n1 + 2", "lesson", LESSON, "cell", firstCell)));
        assertEquals("ok", run.get("status").asText());
        JsonNode saved = Browserless.json(learner.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell);
        assertEquals("ok", saved.get("status").asText());
        assertEquals("3", saved.get("outputs").get(0).get("data").get("text/plain").asText());

        JsonNode reset = Browserless.json(learner.call("DELETE", "/api/lessons/" + LESSON + "/cells/" + firstCell, null));
        assertEquals(lesson.get("cells").get(0).get("code").asText(), reset.get("code").asText());
        assertFalse(Browserless.json(learner.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell).get("edited").asBoolean());
    }

    @Test
    void exerciseIsCheckedAfterTheCell() throws Exception {
        Browserless learner = new Browserless(app.port()).login();
        String kernel = learner.openKernel();
        Map<String, Object> starter = Map.of("lesson", LESSON, "cell", "sum-of-squares",
                "code", "static float sumOfSquares(float[] x) { return 0; }");
        JsonNode failed = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute", starter));
        assertFalse(failed.get("exercise").get("passed").asBoolean(), failed.toString());
        assertTrue(failed.get("exercise").get("message").asText().contains("expected"), failed.toString());

        String solution = """
                static float sumOfSquares(float[] x) {
                    var species = FloatVector.SPECIES_PREFERRED;
                    var acc = FloatVector.zero(species);
                    int i = 0;
                    for (; i < species.loopBound(x.length); i += species.length()) {
                        var v = FloatVector.fromArray(species, x, i);
                        acc = v.fma(v, acc);
                    }
                    float sum = acc.reduceLanes(VectorOperators.ADD);
                    for (; i < x.length; i++) sum += x[i] * x[i];
                    return sum;
                }""";
        JsonNode passed = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("lesson", LESSON, "cell", "sum-of-squares", "code", solution)));
        assertTrue(passed.get("exercise").get("passed").asBoolean(), passed.toString());
        JsonNode lessons = Browserless.json(learner.get("/api/lessons"));
        JsonNode vectors = null;
        for (JsonNode l : lessons) if (l.get("id").asText().equals(LESSON)) vectors = l;
        assertEquals(1, vectors.get("progress").get("exercisesPassed").asInt(), lessons.toString());
    }

    @Test
    void aSolutionIsSentOnlyOnRequestAndOnlyAfterTheLearnersOwnAttempt() throws Exception {
        Browserless learner = new Browserless(app.port()).login();
        String solutions = "/api/lessons/" + LESSON + "/solutions/";
        String solution = LessonCatalog.fromClasspath().find(LESSON).orElseThrow().cell("sum-of-squares").orElseThrow().solution();
        String line = "acc = v.fma(v, acc);";
        assertTrue(solution.contains(line), solution);
        // not in the page, not in the lesson's JSON
        assertFalse(learner.get("/lessons/" + LESSON).body().contains(line));
        HttpResponse<String> lesson = learner.get("/api/lessons/" + LESSON);
        assertFalse(lesson.body().contains(line), lesson.body());
        JsonNode cells = Browserless.json(lesson).get("cells");
        for (JsonNode cell : cells) {
            assertEquals(cell.get("id").asText().equals("sum-of-squares"), cell.get("hasSolution").asBoolean(), cell.toString());
        }

        HttpResponse<String> early = learner.get(solutions + "sum-of-squares");
        assertEquals(403, early.statusCode(), early.body());
        assertTrue(Browserless.json(early).get("error").asText().contains("attempt"), early.body());
        assertEquals(404, learner.get(solutions + "dot-scalar").statusCode(), "a cell that is not an exercise has none");
        assertEquals(404, learner.get(solutions + "no-such-cell").statusCode());

        String kernel = learner.openKernel();
        JsonNode failed = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("lesson", LESSON, "cell", "sum-of-squares", "code", "static float sumOfSquares(float[] x) { return 0; }")));
        assertFalse(failed.get("exercise").get("passed").asBoolean(), failed.toString());
        HttpResponse<String> shown = learner.get(solutions + "sum-of-squares");
        assertEquals(200, shown.statusCode(), shown.body());
        assertEquals(solution, Browserless.json(shown).get("code").asText());
        assertEquals("no-store", shown.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(403, new Browserless(app.port()).login().get(solutions + "sum-of-squares").statusCode(),
                "another learner has not tried it yet");

        JsonNode solved = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("lesson", LESSON, "cell", "sum-of-squares", "code", solution)));
        assertTrue(solved.get("exercise").get("passed").asBoolean(), "the shipped solution passes its check: " + solved);
    }
}
