package dev.glassbox.web.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.App;
import dev.glassbox.web.ClassFixture;
import dev.glassbox.web.server.Json;
import dev.glassbox.web.server.ServerLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training API over real HTTP, on a server that runs one training at a time: real sorter runs (a few dozen
 * steps, seconds), two learners with their own sessions, and the session, CSRF and Origin checks of every POST.
 */
class TrainApiTest {
    @TempDir
    static Path data;
    static App app;
    static String base;
    static ClassFixture klass;
    static Learner ada;
    static Learner bob;

    /** A browser of its own: its cookie, its CSRF token. */
    record Learner(HttpClient http, String csrf) {
        static Learner join(String name) throws Exception {
            ClassFixture.Student student = klass.join(name);
            return new Learner(student.http(), student.csrf());
        }

        HttpResponse<String> post(String path, Object body) throws Exception {
            return post(path, body, Map.of("X-CSRF-Token", csrf, "Origin", base));
        }

        HttpResponse<String> post(String path, Object body, Map<String, String> headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                    .header("Content-Type", "application/json");
            headers.forEach(b::header);
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String path) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode json(HttpResponse<String> response, int status) throws Exception {
            assertEquals(status, response.statusCode(), response.request().uri() + " -> " + response.body());
            return Json.MAPPER.readTree(response.body());
        }

        JsonNode start(Map<String, Object> settings) throws Exception {
            return json(post("/api/train/runs", Map.of("recipe", "sorter", "settings", settings)), 201);
        }

        /** Polls the current run until {@code done} holds, for at most 60 s. */
        JsonNode await(java.util.function.Predicate<JsonNode> done, String what) throws Exception {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                JsonNode run = json(get("/api/train/runs/current"), 200);
                if (done.test(run)) return run;
                if (System.nanoTime() > deadline) throw new AssertionError("waited 60 s for " + what + "; the run: " + run);
                Thread.sleep(100);
            }
        }

        /** Stops the learner's run, if any, and waits until it has ended (its slot is free). */
        void stopAndWait() throws Exception {
            if (get("/api/train/runs/current").statusCode() == 404) return;
            post("/api/train/runs/current/stop", Map.of());
            await(run -> !run.get("active").asBoolean(), "the run to end");
        }
    }

    /** Settings of a sorter run that takes about a second. */
    static Map<String, Object> small(int steps) {
        return Map.of("steps", steps, "batch", 16, "warmup", Math.min(5, steps), "dModel", 32, "heads", 2, "kvHeads", 2, "dMlp", 64);
    }

    @BeforeAll
    static void start() throws Exception {
        App.Settings settings = new App.Settings("127.0.0.1", 0, data, null, KernelSettings.defaults(data.resolve("scratch")).withPoolSize(0))
                .withLimits(ServerLimits.defaults().withTrainingRuns(1));
        klass = ClassFixture.start(settings);   // two learners: a class (single-user mode has one)
        app = klass.app;
        app.awaitModels(java.time.Duration.ofMinutes(3));   // prepared in the background
        base = "http://localhost:" + app.port();
        ada = Learner.join("Ada");
        bob = Learner.join("Bob");
    }

    @AfterEach
    void stopRuns() throws Exception {
        ada.stopAndWait();
        bob.stopAndWait();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void recipesComeWithDefaultsQuickSettingsAndLimits() throws Exception {
        JsonNode recipes = ada.json(ada.get("/api/train/recipes"), 200);
        List<String> ids = new ArrayList<>();
        recipes.forEach(r -> ids.add(r.get("id").asText()));
        assertEquals(List.of("sorter", "induction-2l", "tiny-stories"), ids);
        for (JsonNode r : recipes) {
            for (String part : List.of("defaults", "quick", "min", "max")) {
                JsonNode s = r.get(part);
                assertTrue(s.get("steps").asInt() >= 1 && s.has("learningRate") && s.has("dModel") && s.has("seed"), r.get("id") + " " + part + ": " + s);
            }
            assertTrue(r.get("quick").get("steps").asInt() <= r.get("defaults").get("steps").asInt(), "quick is quicker: " + r);
            assertTrue(r.get("max").get("steps").asInt() >= r.get("defaults").get("steps").asInt());
            assertFalse(r.get("description").asText().isBlank());
        }
    }

    @Test
    void aRunTrainsLiveAndIsSavedIntoTheCatalog() throws Exception {
        JsonNode started = ada.start(small(60));
        assertEquals("sorter", started.get("recipe").asText());
        assertEquals(60, started.get("steps").asInt());
        assertTrue(started.get("active").asBoolean());

        JsonNode saveTooEarly = ada.json(ada.post("/api/train/runs/current/save", Map.of("name", "too early")), 409);
        if (!saveTooEarly.get("error").asText().contains("already")) {   // the run may end before this request: then 409 cannot be had
            assertTrue(saveTooEarly.get("error").asText().contains("still going"), saveTooEarly.toString());
        }

        JsonNode done = ada.await(run -> run.get("state").asText().equals("finished"), "the run to finish");
        assertEquals(60, done.get("stepsDone").asInt());
        JsonNode train = done.get("train");
        assertEquals(60, train.size(), "every step is a point while there are fewer than 500");
        assertTrue(train.get(59).get(1).asDouble() < train.get(0).get(1).asDouble() * 0.8,
                "the loss falls: " + train.get(0) + " -> " + train.get(59));
        assertTrue(done.get("heldOut").size() >= 1, done.toString());
        assertTrue(done.get("samples").size() >= 1 && done.get("samples").get(0).get("prompt").asText().endsWith(">"), done.get("samples").toString());
        assertTrue(done.get("parameters").asLong() > 1000);
        assertTrue(done.get("saveable").asBoolean());

        JsonNode saved = ada.json(ada.post("/api/train/runs/current/save", Map.of("name", "  My Sorter!  ")), 201);
        String id = saved.get("id").asText();
        assertEquals("my-sorter", id);
        assertEquals("/models/my-sorter", saved.get("url").asText());
        assertEquals("my-sorter", saved.get("run").get("savedId").asText());
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "MODEL_CARD.md", SavedModels.OWNER)) {
            assertTrue(Files.isRegularFile(data.resolve("trained").resolve(id).resolve(file)), file);
        }

        JsonNode again = ada.json(ada.post("/api/train/runs/current/save", Map.of("name", "twice")), 409);
        assertTrue(again.get("error").asText().contains("already saved as \"my-sorter\""), again.toString());

        JsonNode list = ada.json(ada.get("/api/models"), 200);
        JsonNode entry = null;
        for (JsonNode m : list) if (m.get("id").asText().equals(id)) entry = m;
        assertTrue(entry != null, "the catalog lists the saved model: " + list);
        assertEquals("My Sorter!", entry.get("name").asText());
        JsonNode model = ada.json(ada.get("/api/models/" + id), 200);
        String card = model.get("cardMarkdown").asText();
        assertTrue(card.contains("sorter") && card.contains("seed"), card);
        assertEquals(0, model.get("card").get("baseModel").size(), "trained from scratch: no base model");
        assertEquals(200, ada.get("/models/" + id).statusCode());

        // The saved model runs: it generates with the inference API like a shipped model.
        HttpResponse<String> generated = ada.post("/api/models/" + id + "/generate", Map.of("prompt", "3142>", "max_tokens", 4, "temperature", 0));
        assertEquals(200, generated.statusCode(), generated.body());
        assertTrue(generated.body().contains("\"done\":true"), generated.body());
    }

    @Test
    void oneRunAtATimePerLearnerAndStopEndsIt() throws Exception {
        ada.start(small(20_000));
        JsonNode second = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter")), 409);
        assertTrue(second.get("error").asText().contains("already have a training run going"), second.toString());

        ada.await(run -> run.get("stepsDone").asInt() >= 3, "a few steps");
        JsonNode stopping = ada.json(ada.post("/api/train/runs/current/stop", Map.of()), 200);
        assertTrue(List.of("stopping", "stopped").contains(stopping.get("state").asText()), stopping.toString());
        JsonNode stopped = ada.await(run -> !run.get("active").asBoolean(), "the run to stop");
        assertEquals("stopped", stopped.get("state").asText());
        assertEquals("you stopped it", stopped.get("stopReason").asText());
        assertTrue(stopped.get("stepsDone").asInt() < 20_000);
        assertTrue(stopped.get("saveable").asBoolean(), "a stopped run can be saved");

        ada.start(small(5));   // a new run replaces the ended one
        ada.await(run -> run.get("state").asText().equals("finished"), "the second run");
    }

    @Test
    void whenTheSlotsAreFullOthersAreToldSoAndKeepTheirOwnState() throws Exception {
        ada.start(small(20_000));
        assertEquals(404, bob.get("/api/train/runs/current").statusCode(), "bob has no run, and does not see ada's");
        JsonNode full = bob.json(bob.post("/api/train/runs", Map.of("recipe", "sorter", "settings", small(10))), 503);
        assertTrue(full.get("error").asText().contains("the most it runs at once (1"), full.toString());
        assertEquals(404, bob.post("/api/train/runs/current/stop", Map.of()).statusCode(), "bob cannot stop ada's run");
        assertTrue(ada.json(ada.get("/api/train/runs/current"), 200).get("active").asBoolean());
        assertEquals(200, bob.get("/api/models").statusCode(), "the rest of the server answers");

        ada.stopAndWait();
        bob.start(small(5));
        bob.await(run -> run.get("state").asText().equals("finished"), "bob's run");
    }

    @Test
    void badBodiesAreRefusedWithTheFieldAndItsLimits() throws Exception {
        Learner ada = Learner.join("Learner");   // a learner with no run yet
        String unknown = ada.json(ada.post("/api/train/runs", Map.of("recipe", "gpt-5")), 400).get("error").asText();
        assertTrue(unknown.contains("\"recipe\"") && unknown.contains("sorter, induction-2l, tiny-stories") && unknown.contains("gpt-5"), unknown);
        String noRecipe = ada.json(ada.post("/api/train/runs", Map.of()), 400).get("error").asText();
        assertTrue(noRecipe.contains("\"recipe\""), noRecipe);
        String steps = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("steps", 0))), 400).get("error").asText();
        assertTrue(steps.contains("steps") && steps.contains("[1, 20000]") && steps.contains("found 0"), steps);
        String layers = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("layers", 99))), 400).get("error").asText();
        assertTrue(layers.contains("layers") && layers.contains("99"), layers);
        String field = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("depth", 3))), 400).get("error").asText();
        assertTrue(field.contains("\"depth\"") && field.contains("learningRate"), field);
        String type = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("steps", "many"))), 400).get("error").asText();
        assertTrue(type.contains("\"steps\"") && type.contains("whole number"), type);
        String fraction = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("batch", 2.5))), 400).get("error").asText();
        assertTrue(fraction.contains("\"batch\""), fraction);
        String shape = ada.json(ada.post("/api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("dModel", 36, "heads", 4))), 400).get("error").asText();
        assertTrue(shape.contains("dModel") && shape.contains("heads"), shape);
        assertEquals(400, ada.post("/api/train/runs", "not json").statusCode());
        assertEquals(404, ada.get("/api/train/runs/current").statusCode(), "nothing was started");

        // Names: path tricks are refused, not cleaned; a name needs a letter or a digit.
        ada.start(small(3));
        ada.await(run -> !run.get("active").asBoolean(), "the run");
        assertEquals("finished", ada.json(ada.get("/api/train/runs/current"), 200).get("state").asText());
        for (String bad : List.of("../../etc/passwd", "a/b", "a\\b", "..", "", "   ", "!!!", "x".repeat(61))) {
            String message = ada.json(ada.post("/api/train/runs/current/save", Map.of("name", bad)), 400).get("error").asText();
            assertTrue(message.contains("\"name\""), bad + " -> " + message);
        }
        assertEquals(400, ada.post("/api/train/runs/current/save", Map.of("name", 7)).statusCode());
        assertFalse(Files.exists(data.resolve("etc")));
    }

    @Test
    void postsNeedTheSessionsTokenFromThisOrigin() throws Exception {
        Learner ada = Learner.join("Learner");   // a learner with no run yet
        Map<String, Object> body = Map.of("recipe", "sorter", "settings", small(3));
        assertEquals(403, ada.post("/api/train/runs", body, Map.of("Origin", base)).statusCode(), "no CSRF token");
        assertEquals(403, ada.post("/api/train/runs", body, Map.of("X-CSRF-Token", ada.csrf(), "Origin", "http://evil.example")).statusCode());
        assertEquals(403, ada.post("/api/train/runs", body, Map.of("X-CSRF-Token", bob.csrf(), "Origin", base)).statusCode(), "bob's token in ada's session");
        assertEquals(404, ada.get("/api/train/runs/current").statusCode(), "nothing was started");
    }

    @Test
    void aLearnerMaySaveFiveModels() throws Exception {
        Learner cat = Learner.join("Learner");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cat.start(small(2));
            cat.await(run -> !run.get("active").asBoolean(), "run " + i);
            HttpResponse<String> saved = cat.post("/api/train/runs/current/save", Map.of("name", "tiny"));
            if (i < 5) ids.add(cat.json(saved, 201).get("id").asText());
            else assertTrue(cat.json(saved, 409).get("error").asText().contains("the most one learner may keep (5)"), saved.body());
        }
        assertEquals(List.of("tiny", "tiny-2", "tiny-3", "tiny-4", "tiny-5"), ids, "a taken id gets a number");
        assertEquals(200, ada.get("/models/tiny-5").statusCode());
    }
}
