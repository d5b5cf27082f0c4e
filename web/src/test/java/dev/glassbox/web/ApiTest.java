package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
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
    /** Several learners on one server: a class (single-user mode has one learner). */
    static ClassFixture klass;

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(4)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels));
        klass = ClassFixture.start(new App.Settings("127.0.0.1", 0, data.resolve("class"), null,
                KernelSettings.defaults(data.resolve("class/scratch")).withTimeLimit(Duration.ofSeconds(4)).withPoolSize(1)));
    }

    @AfterAll
    static void stop() {
        app.close();
        klass.close();
    }

    @Test
    void healthAndSession() throws Exception {
        Browserless stranger = new Browserless(app.port());
        JsonNode health = Browserless.json(stranger.get("/api/health"));
        assertEquals("ok", health.get("status").asText());
        assertEquals(401, stranger.get("/api/session").statusCode(), "without the owner's token, no session");
        String token = app.ownerToken().orElseThrow();
        HttpResponse<String> link = stranger.get("/lessons/" + LESSON + "?token=" + token);
        assertEquals(303, link.statusCode(), "the start-up link sets the cookie and drops the token from the address");
        assertEquals("/lessons/" + LESSON, link.headers().firstValue("Location").orElseThrow());
        String cookie = link.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        HttpResponse<String> session = stranger.get("/api/session");
        assertEquals(200, session.statusCode(), session.body());
        assertTrue(Browserless.json(session).get("csrfToken").asText().length() >= 20);
    }

    @Test
    void theOwnerIsOneLearnerInEveryBrowserAndNobodyElseGetsIn() throws Exception {
        Browserless laptop = new Browserless(app).login();
        Browserless otherBrowser = new Browserless(app).login();
        assertEquals(laptop.csrf, otherBrowser.csrf, "one learner: one session");
        JsonNode lesson = Browserless.json(laptop.get("/api/lessons/" + LESSON));
        String lastCell = lesson.get("cells").get(lesson.get("cells").size() - 1).get("id").asText();
        String path = "/api/lessons/" + LESSON + "/cells/" + lastCell;
        assertEquals(200, laptop.call("PUT", path, Map.of("code", "// written in the laptop's browser")).statusCode());
        JsonNode seen = Browserless.json(otherBrowser.get("/api/lessons/" + LESSON + "/state")).get("cells").get(lastCell);
        assertEquals("// written in the laptop's browser", seen.get("code").asText(), "the other browser sees the owner's work");
        assertEquals(200, laptop.call("DELETE", path, null).statusCode());

        // a script shows the token in a header instead of a cookie
        String token = app.ownerToken().orElseThrow();
        Browserless script = new Browserless(app.port());
        assertEquals(200, script.send("GET", "/api/lessons", null, Map.of("Authorization", "token " + token)).statusCode());
        assertEquals(200, script.send("GET", "/api/lessons", null, Map.of("Authorization", "Bearer " + token)).statusCode());

        // another user of the computer: no token, a wrong one, a wrong cookie
        Browserless stranger = new Browserless(app.port());
        HttpResponse<String> page = stranger.get("/lessons/" + LESSON);
        assertEquals(401, page.statusCode());
        assertTrue(page.body().contains("name=\"token\""), "the page asks for the token: " + page.body());
        HttpResponse<String> api = stranger.get("/api/lessons");
        assertEquals(401, api.statusCode());
        assertTrue(Browserless.json(api).get("error").asText().contains("?token="), api.body());
        HttpResponse<String> wrong = stranger.get("/?token=" + "x".repeat(token.length()));
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("not this Glassbox"), wrong.body());
        assertEquals(401, stranger.send("GET", "/api/lessons", null, Map.of("Cookie", "glassbox_session=" + token + "x")).statusCode());
        assertEquals(401, stranger.send("POST", "/api/kernels", null, Map.of("Origin", stranger.base, "X-CSRF-Token", laptop.csrf)).statusCode(),
                "the CSRF token alone is not the owner's token");
        assertEquals(401, stranger.get("/api/kernels/anything/").statusCode(), "any spelling of a route asks for the token");
    }

    @Test
    void runsCellsAndStreamsOutputs() throws Exception {
        Browserless script = new Browserless(app).login();
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
        Browserless learner = new Browserless(app).login();
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
        Browserless alice = klass.student("Learner");
        Browserless mallory = klass.student("Learner");
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
        Browserless script = new Browserless(app).login();
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
        Browserless learner = klass.student("Learner");
        Browserless other = klass.student("Learner");
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
        Browserless learner = new Browserless(app).login();
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
        Browserless learner = klass.student("Learner");
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
        assertEquals(403, klass.student("Learner").get(solutions + "sum-of-squares").statusCode(),
                "another learner has not tried it yet");

        JsonNode solved = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("lesson", LESSON, "cell", "sum-of-squares", "code", solution)));
        assertTrue(solved.get("exercise").get("passed").asBoolean(), "the shipped solution passes its check: " + solved);
    }
}
