package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.browser.Chromium;
import dev.glassbox.web.classroom.Passphrase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The app started as the README says, and every page and endpoint asked once: the packaged jar launched with a plain
 * {@code java -jar web/target/glassbox.jar} and only documented options ({@link PackagedServer}), then each route of
 * {@link #ROUTES} requested with a valid body, in single-user mode and in classroom mode. Fails on any 5xx, on a
 * valid request that is refused, on any ERROR, SEVERE or exception in the server's output, and when the server does
 * not stop cleanly. A real browser then opens MiniLM's attention page and waits for its heatmaps
 * (screenshot: target/screenshots/readme-start-attention.png).
 *
 * <p>Runs after {@code package}, in {@code ./mvnw verify} (failsafe), against the jar a user would run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ReadmeStartIT {
    enum Mode { SINGLE_USER, CLASSROOM }

    /** A route as the app registers it ({@code "METHOD /path/{param}"}), and the server this test asks it on. */
    record Route(String key, Mode mode) {}

    /**
     * Every route the app registers. Every new page or endpoint is added here, and asked below with a valid request:
     * {@link #everyRegisteredRouteIsListed()} compares this list with the app's routes, and each walk checks that each
     * of its routes answered a valid request at least once.
     */
    static final List<Route> ROUTES = List.of(
            // pages
            new Route("GET /", Mode.SINGLE_USER),
            new Route("GET /lessons/{lesson}", Mode.SINGLE_USER),
            new Route("GET /models", Mode.SINGLE_USER),
            new Route("GET /models/{id}", Mode.SINGLE_USER),
            new Route("GET /models/{id}/attention", Mode.SINGLE_USER),
            new Route("GET /models/{id}/layers", Mode.SINGLE_USER),
            new Route("GET /models/{id}/generate", Mode.SINGLE_USER),
            new Route("GET /models/{id}/finetune", Mode.SINGLE_USER),
            new Route("GET /tokenizers", Mode.SINGLE_USER),
            new Route("GET /train", Mode.SINGLE_USER),
            new Route("GET /models/{id}/quantize", Mode.SINGLE_USER),
            // session and lessons
            new Route("GET /api/health", Mode.SINGLE_USER),
            new Route("GET /api/session", Mode.SINGLE_USER),
            new Route("GET /api/lessons", Mode.SINGLE_USER),
            new Route("GET /api/lessons/{lesson}", Mode.SINGLE_USER),
            new Route("GET /api/lessons/{lesson}/state", Mode.SINGLE_USER),
            new Route("PUT /api/lessons/{lesson}/cells/{cell}", Mode.SINGLE_USER),
            new Route("DELETE /api/lessons/{lesson}/cells/{cell}", Mode.SINGLE_USER),
            new Route("GET /api/lessons/{lesson}/solutions/{cell}", Mode.SINGLE_USER),
            // the course: map, search, glossary, quizzes, notebook files and drafts
            new Route("GET /course", Mode.SINGLE_USER),
            new Route("GET /search", Mode.SINGLE_USER),
            new Route("GET /glossary", Mode.SINGLE_USER),
            new Route("POST /api/lessons/{lesson}/quizzes/{quiz}", Mode.SINGLE_USER),
            new Route("GET /lessons/{lesson}/notebook.ipynb", Mode.SINGLE_USER),
            new Route("GET /lessons/{lesson}/notebook.html", Mode.SINGLE_USER),
            new Route("POST /api/drafts", Mode.SINGLE_USER),
            new Route("GET /drafts/{draft}", Mode.SINGLE_USER),
            new Route("GET /drafts/{draft}/lesson.md", Mode.SINGLE_USER),
            new Route("DELETE /api/drafts/{draft}", Mode.SINGLE_USER),
            // kernels
            new Route("POST /api/kernels", Mode.SINGLE_USER),
            new Route("GET /api/kernels/{id}", Mode.SINGLE_USER),
            new Route("POST /api/kernels/{id}/execute", Mode.SINGLE_USER),
            new Route("POST /api/kernels/{id}/complete", Mode.SINGLE_USER),
            new Route("POST /api/kernels/{id}/interrupt", Mode.SINGLE_USER),
            new Route("POST /api/kernels/{id}/restart", Mode.SINGLE_USER),
            new Route("DELETE /api/kernels/{id}", Mode.SINGLE_USER),
            // models: the catalog, the weights, and running them
            new Route("GET /api/models", Mode.SINGLE_USER),
            new Route("GET /api/models/{id}", Mode.SINGLE_USER),
            new Route("GET /api/models/{id}/tensors", Mode.SINGLE_USER),
            new Route("GET /api/models/{id}/tensors/<rest>", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/tokenize", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/embed", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/attention", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/trace", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/layers", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/generate", Mode.SINGLE_USER),
            // the quantization lab: F32 against Q8_0 and Q4_0
            new Route("POST /api/models/{id}/quantize", Mode.SINGLE_USER),
            new Route("GET /api/models/{id}/quantize", Mode.SINGLE_USER),
            // training a recipe from the page, and saving the result into the catalog
            new Route("GET /api/train/recipes", Mode.SINGLE_USER),
            new Route("POST /api/train/runs", Mode.SINGLE_USER),
            new Route("GET /api/train/runs/current", Mode.SINGLE_USER),
            new Route("POST /api/train/runs/current/stop", Mode.SINGLE_USER),
            new Route("POST /api/train/runs/current/save", Mode.SINGLE_USER),
            // fine-tuning a trained model on the sea stories, and saving the result into the catalog
            new Route("GET /api/models/{id}/finetune", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/finetune/runs", Mode.SINGLE_USER),
            new Route("GET /api/models/{id}/finetune/runs/current", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/finetune/runs/current/stop", Mode.SINGLE_USER),
            new Route("POST /api/models/{id}/finetune/runs/current/save", Mode.SINGLE_USER),
            // classroom mode only
            new Route("GET /join", Mode.CLASSROOM),
            new Route("POST /join", Mode.CLASSROOM),
            new Route("GET /teacher", Mode.CLASSROOM),
            new Route("POST /teacher/login", Mode.CLASSROOM),
            new Route("POST /teacher/logout", Mode.CLASSROOM),
            new Route("POST /teacher/classes", Mode.CLASSROOM),
            new Route("GET /teacher/class/{code}", Mode.CLASSROOM),
            new Route("POST /api/join", Mode.CLASSROOM),
            new Route("GET /api/classes/{code}/dashboard", Mode.CLASSROOM),
            new Route("POST /api/classes/{code}/students/{student}/restart", Mode.CLASSROOM),
            new Route("POST /api/classes/{code}/lessons/{lesson}/reset", Mode.CLASSROOM),
            new Route("POST /api/classes/{code}/size", Mode.CLASSROOM),
            new Route("POST /api/classes/{code}/kernels/ready", Mode.CLASSROOM),
            new Route("POST /api/classes/{code}/students/{student}/remove", Mode.CLASSROOM),
            new Route("GET /api/classes/{code}/progress.csv", Mode.CLASSROOM));

    static final String PASSPHRASE = "correct horse battery";
    static final Duration STARTUP = Duration.ofMinutes(2);
    static final Duration MODELS_READY = Duration.ofMinutes(3);
    static final Duration STOP = Duration.ofMinutes(1);
    static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    /** The servers' stdout and stderr, kept after the run. */
    static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "readme-start");
    /** Canvas pixels that are neither white nor transparent (as InferencePagesTest counts them). */
    static final String INKED_PIXELS = """
            canvas => {
              const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let inked = 0;
              for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) inked++;
              return inked;
            }""";

    @TempDir
    static Path data;
    static PackagedServer server;
    /** Requests that went wrong, e.g. "POST /api/models/x/embed -> 500: {...}". */
    static final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    /** Per route key: the statuses it answered. */
    static final Map<String, List<Integer>> answers = Collections.synchronizedMap(new LinkedHashMap<>());

    @BeforeAll
    static void startAsTheReadmeSays() throws Exception {
        server = PackagedServer.start(List.of("--port", "0", "--data", data.toString()), LOGS, "single-user", STARTUP);
        awaitModelsReady(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server == null) return;
        int exit = server.stop(STOP);
        assertTrue(exit == 0 || exit == 143, "the server stopped on SIGTERM with exit " + exit + " (0 or 143 expected):\n" + server.output());
        assertNoTroubleIn(server, "single-user server, after it stopped");
    }

    @Test
    @Order(1)
    void everyPageAndEndpointAnswersInSingleUserMode() throws Exception {
        failures.clear();
        check(server.link().matches("http://localhost:\\d+/\\?token=[A-Za-z0-9_-]{20,}"), "the start-up line prints a link with the owner's token: " + server.link());
        check(new Browserless(server.port()).get("/").statusCode() == 401, "without the link's token the home page is refused");
        Browserless learner = Browserless.opening(server.link());   // the owner opens the link Glassbox printed, as the README says
        JsonNode health = ok(learner, "GET /api/health");
        check(health.path("mode").asText().equals("single-user"), "health says single-user: " + health);
        learner.csrf = ok(learner, "GET /api/session").path("csrfToken").asText();

        // pages
        visit(learner, Expect.OK, "GET /", null);
        visit(learner, Expect.OK, "GET /models", null);
        visit(learner, Expect.OK, "GET /tokenizers", null);
        JsonNode lessons = ok(learner, "GET /api/lessons");
        check(lessons.size() > 0, "GET /api/lessons lists the bundled lessons: " + lessons);
        for (JsonNode lesson : lessons) visit(learner, Expect.OK, "GET /lessons/{lesson}", null, lesson.path("id").asText());
        JsonNode models = ok(learner, "GET /api/models");
        check(models.size() > 0, "GET /api/models lists the shipped models: " + models);
        for (JsonNode model : models) {
            String id = model.path("id").asText();
            boolean encoder = encoder(model);
            visit(learner, Expect.OK, "GET /models/{id}", null, id);
            visit(learner, Expect.OK, "GET /models/{id}/attention", null, id);
            visit(learner, Expect.OK, "GET /models/{id}/layers", null, id);
            visit(learner, encoder ? Expect.NO_SERVER_ERROR : Expect.OK, "GET /models/{id}/generate", null, id);
            visit(learner, Expect.OK, "GET /models/{id}/quantize", null, id);
            visit(learner, Expect.OK, "GET /models/{id}/finetune", null, id);      // a model that cannot be fine-tuned says why
        }

        lessonApi(learner, lessons);
        courseApi(learner, lessons);
        kernelApi(learner);
        for (JsonNode model : models) modelApi(learner, model);
        trainApi(learner);
        quantizeApi(learner);
        fineTuneApi(learner);

        assertWalkComplete(Mode.SINGLE_USER, server);
    }

    @Test
    @Order(2)
    void attentionPageDrawsItsHeatmapsInABrowser() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("readme-start-attention.png");
        List<String> scriptErrors = new ArrayList<>();
        try (Playwright playwright = Playwright.create(); Browser browser = Chromium.launch(playwright);
             BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1360, 900))) {
            Page page = context.newPage();
            page.onPageError(scriptErrors::add);
            page.navigate(server.link());                    // the link it printed: the token becomes the browser's cookie
            page.navigate("http://localhost:" + server.port() + "/models/all-minilm-l6-v2/attention");
            int inked;
            try {
                // The page runs its default text on load; the main heatmap is drawn when the answer is back.
                page.waitForFunction("() => { const c = document.querySelector('#attention-heatmap canvas.heatmap-canvas');"
                        + " return c && (" + INKED_PIXELS + ")(c) > 5000; }", null, new Page.WaitForFunctionOptions().setTimeout(60_000));
                inked = ((Number) page.locator("#attention-heatmap canvas.heatmap-canvas").evaluate(INKED_PIXELS)).intValue();
            } catch (PlaywrightException e) {
                page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));
                fail("the attention page drew no heatmap within 60 s; it says: \""
                        + page.locator("#attention-status").textContent().strip() + "\" (screenshot: " + shot + ")");
                return;
            }
            assertTrue(page.locator("#attention-status").textContent().contains("tokens"), page.locator("#attention-status").textContent());
            int thumbnails = page.locator(".thumb").count();
            assertEquals(6 * 12, thumbnails, "one thumbnail per head of MiniLM (6 layers x 12 heads)");
            page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));
            assertTrue(inked > 5_000, "the heatmap is drawn: " + inked + " coloured pixels");
        }
        assertEquals(List.of(), scriptErrors, "uncaught errors in the page's scripts");
        assertNoTroubleIn(server, "single-user server, after the browser");
    }

    @Test
    @Order(3)
    void everyClassroomPageAndEndpointAnswers(@TempDir Path classData) throws Exception {
        if (!onPath("bwrap")) {
            fail("Classroom mode needs bubblewrap for its kernels, and this machine has none: install it (apt-get install bubblewrap) "
                    + "and run again. This test does not skip: a classroom left untested proves nothing.");
        }
        Path passphrase = classData.resolve("passphrase");
        Files.writeString(passphrase, PASSPHRASE + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passphrase, PosixFilePermissions.fromString("rw-------"));
        PackagedServer classroom = PackagedServer.start(List.of("--classroom", "--passphrase-file", passphrase.toString(),
                "--port", "0", "--data", classData.resolve("data").toString()), LOGS, "classroom", STARTUP);
        try {
            failures.clear();
            int port = classroom.port();
            awaitModelsReady(port);
            Browserless visitor = new Browserless(port);
            JsonNode health = ok(visitor, "GET /api/health");
            check(health.path("mode").asText().equals("classroom"), "health says classroom: " + health);
            visit(visitor, Expect.OK, "GET /join", null);
            visit(visitor, Expect.OK, "GET /teacher", null);

            // the teacher signs in with the form, makes a class and opens its dashboard
            Browserless teacher = new Browserless(port);
            HttpResponse<String> signedIn = form(teacher, "POST /teacher/login",
                    Map.of("csrf", teacher.formToken("/teacher"), "passphrase", PASSPHRASE));
            check(signedIn.statusCode() == 303, "the teacher's sign-in redirects to /teacher: " + signedIn.statusCode());
            teacher.csrf = ok(teacher, "GET /api/session").path("csrfToken").asText();
            visit(teacher, Expect.OK, "GET /teacher", null);
            HttpResponse<String> created = form(teacher, "POST /teacher/classes", Map.of("csrf", teacher.csrf, "name", "Period 3"));
            check(created.statusCode() == 303, "making a class redirects to its dashboard: " + created.statusCode());
            String location = created.headers().firstValue("Location").orElse("/no-class");
            String code = location.substring(location.lastIndexOf('/') + 1);
            visit(teacher, Expect.OK, "GET /teacher/class/{code}", null, code);

            // a student joins through the API, another through the form
            Browserless student = new Browserless(port);
            student.csrf = ok(student, "GET /api/session").path("csrfToken").asText();
            student.csrf = json(visit(student, Expect.OK, "POST /api/join", Map.of("code", code, "name", "Ada"))).path("csrfToken").asText();
            Browserless other = new Browserless(port);
            HttpResponse<String> joined = form(other, "POST /join",
                    Map.of("csrf", other.formToken("/join"), "code", code, "name", "Grace", "next", "/"));
            check(joined.statusCode() == 303, "joining with the form redirects: " + joined.statusCode());
            visit(student, Expect.OK, "GET /", null);
            String lesson = ok(student, "GET /api/lessons").path(0).path("id").asText();
            visit(student, Expect.OK, "GET /lessons/{lesson}", null, lesson);
            String kernel = json(visit(student, Expect.OK, "POST /api/kernels", null)).path("id").asText();
            JsonNode sum = json(visit(student, Expect.OK, "POST /api/kernels/{id}/execute", Map.of("code", "1 + 1"), kernel));
            check(sum.path("status").asText().equals("ok"), "a student's cell runs in the sandbox: " + sum);

            // the teacher's dashboard sees them, restarts Ada's kernel and resets a lesson
            JsonNode dashboard = json(visit(teacher, Expect.OK, "GET /api/classes/{code}/dashboard", null, code));
            String ada = "";
            for (JsonNode row : dashboard.path("students")) if (row.path("name").asText().equals("Ada")) ada = row.path("id").asText();
            check(!ada.isEmpty(), "Ada is on the dashboard: " + dashboard);
            JsonNode restarted = json(visit(teacher, Expect.OK, "POST /api/classes/{code}/students/{student}/restart", null, code, ada));
            check(restarted.path("restarted").asInt() == 1, "Ada's one kernel is restarted: " + restarted);
            visit(teacher, Expect.OK, "POST /api/classes/{code}/lessons/{lesson}/reset", null, code, lesson);
            visit(teacher, Expect.OK, "POST /api/classes/{code}/size", Map.of("maxStudents", 3), code);
            JsonNode ready = json(visit(teacher, Expect.OK, "POST /api/classes/{code}/kernels/ready", null, code));
            // Ada has a kernel; Grace and one more may come: two kernels, which the pool keeps warm anyway
            check(ready.path("target").asInt() == 2, "kernels are got ready for the two students still to come: " + ready);
            visit(teacher, Expect.OK, "GET /api/classes/{code}/progress.csv", null, code);
            visit(teacher, Expect.OK, "POST /api/classes/{code}/students/{student}/remove", null, code, ada);
            HttpResponse<String> signedOut = form(teacher, "POST /teacher/logout", Map.of("csrf", teacher.csrf));
            check(signedOut.statusCode() == 303, "signing out redirects to /teacher: " + signedOut.statusCode());

            assertWalkComplete(Mode.CLASSROOM, classroom);
        } finally {
            int exit = classroom.stop(STOP);
            assertTrue(exit == 0 || exit == 143, "the classroom server stopped on SIGTERM with exit " + exit + ":\n" + classroom.output());
        }
        assertNoTroubleIn(classroom, "classroom server, after it stopped");
    }

    /** The app's own route table (from an app built in this JVM, in classroom mode, so it has every route) against {@link #ROUTES}. */
    @Test
    @Order(4)
    void everyRegisteredRouteIsListed(@TempDir Path inProcess) throws Exception {
        App.Settings settings = new App.Settings("127.0.0.1", 0, inProcess, null,
                KernelSettings.defaults(inProcess.resolve("scratch")).withPoolSize(0)).withClassroom(Passphrase.of(PASSPHRASE));
        Set<String> registered = new TreeSet<>();
        try (App app = App.start(settings)) {
            for (var parsed : App.create(app.deps()).unsafe.internalRouter.allHttpHandlers()) {
                var endpoint = parsed.endpoint;
                if (endpoint.method.isHttpMethod()) registered.add(endpoint.method.name() + " " + endpoint.path);
            }
        }
        Set<String> listed = ROUTES.stream().map(Route::key).collect(Collectors.toCollection(TreeSet::new));
        Set<String> unlisted = new TreeSet<>(registered);
        unlisted.removeAll(listed);
        Set<String> gone = new TreeSet<>(listed);
        gone.removeAll(registered);
        assertEquals(Set.of(), unlisted, "routes the app registers that ReadmeStartIT.ROUTES does not list (add them, and visit them)");
        assertEquals(Set.of(), gone, "routes ReadmeStartIT.ROUTES lists that the app no longer registers");
    }

    // ---- the single-user walk, by API ----

    private static void lessonApi(Browserless learner, JsonNode lessons) throws Exception {
        String cellLesson = null, cell = null, cellCode = null, exerciseLesson = null, exercise = null, exerciseCode = null;
        for (JsonNode summary : lessons) {
            String id = summary.path("id").asText();
            JsonNode lesson = ok(learner, "GET /api/lessons/{lesson}", id);
            visit(learner, Expect.OK, "GET /api/lessons/{lesson}/state", null, id);
            for (JsonNode c : lesson.path("cells")) {
                if (cell == null) {
                    cellLesson = id;
                    cell = c.path("id").asText();
                    cellCode = c.path("code").asText();
                }
                if (exercise == null && c.path("hasSolution").asBoolean()) {
                    exerciseLesson = id;
                    exercise = c.path("id").asText();
                    exerciseCode = c.path("code").asText();
                }
            }
        }
        if (cell == null || exercise == null) {
            failures.add("the bundled lessons should have cells and an exercise with a solution: cell " + cell + ", exercise " + exercise);
            return;
        }
        visit(learner, Expect.OK, "PUT /api/lessons/{lesson}/cells/{cell}", Map.of("code", cellCode + "\n// edited"), cellLesson, cell);
        visit(learner, Expect.OK, "DELETE /api/lessons/{lesson}/cells/{cell}", null, cellLesson, cell);

        // A solution is shown once the learner's own attempt has been checked: run the exercise as it comes, then ask.
        String kernel = json(visit(learner, Expect.OK, "POST /api/kernels", null)).path("id").asText();
        visit(learner, Expect.OK, "POST /api/kernels/{id}/execute",
                Map.of("code", exerciseCode, "lesson", exerciseLesson, "cell", exercise), kernel);
        visit(learner, Expect.OK, "GET /api/lessons/{lesson}/solutions/{cell}", null, exerciseLesson, exercise);
        visit(learner, Expect.OK, "DELETE /api/kernels/{id}", null, kernel);
    }

    /**
     * The course pages, a quiz answered (wrongly, then the key revealed, then rightly), a lesson exported both ways,
     * and its notebook imported as a draft, looked at and deleted.
     */
    private static void courseApi(Browserless learner, JsonNode lessons) throws Exception {
        visit(learner, Expect.OK, "GET /course", null);
        visit(learner, Expect.OK, "GET /glossary", null);
        record("GET /search", "GET /search?q=attention", Expect.OK, learner.get("/search?q=attention"));
        String quizLesson = null, quiz = null, kind = null;
        for (JsonNode summary : lessons) {
            JsonNode lesson = ok(learner, "GET /api/lessons/{lesson}", summary.path("id").asText());
            if (quiz == null && lesson.path("quizzes").size() > 0) {
                quizLesson = summary.path("id").asText();
                quiz = lesson.path("quizzes").path(0).path("id").asText();
                kind = lesson.path("quizzes").path(0).path("kind").asText();
            }
        }
        if (quiz == null) {
            failures.add("the bundled lessons should have a quiz");
        } else {
            JsonNode key = json(visit(learner, Expect.OK, "POST /api/lessons/{lesson}/quizzes/{quiz}", Map.of("reveal", true), quizLesson, quiz));
            Object answer;
            if (kind.equals("text")) {
                answer = Map.of("text", key.path("answer").asText());
            } else {
                List<Integer> right = new ArrayList<>();
                for (int i = 0; i < key.path("choices").size(); i++) if (key.path("choices").path(i).path("correct").asBoolean()) right.add(i);
                answer = Map.of("choices", right);
            }
            JsonNode graded = json(visit(learner, Expect.OK, "POST /api/lessons/{lesson}/quizzes/{quiz}", answer, quizLesson, quiz));
            check(graded.path("correct").asBoolean(), "the revealed key answers quiz " + quiz + " rightly: " + graded);
        }
        String lesson = lessons.path(0).path("id").asText();
        String notebook = visit(learner, Expect.OK, "GET /lessons/{lesson}/notebook.ipynb", null, lesson).body();
        visit(learner, Expect.OK, "GET /lessons/{lesson}/notebook.html", null, lesson);
        JsonNode draft = json(visit(learner, Expect.OK, "POST /api/drafts", notebook));
        String id = draft.path("id").asText();
        visit(learner, Expect.OK, "GET /drafts/{draft}", null, id);
        visit(learner, Expect.OK, "GET /drafts/{draft}/lesson.md", null, id);
        visit(learner, Expect.OK, "DELETE /api/drafts/{draft}", null, id);
    }

    /** A short sorter run from start to the catalog: the page, the recipes, start, watch, stop, save, and the saved model's page. */
    private static void trainApi(Browserless learner) throws Exception {
        visit(learner, Expect.OK, "GET /train", null);
        JsonNode recipes = json(visit(learner, Expect.OK, "GET /api/train/recipes", null));
        check(recipes.size() == 3, "three recipes: " + recipes);
        visit(learner, Expect.OK, "POST /api/train/runs", Map.of("recipe", "sorter", "settings", Map.of("steps", 5, "warmup", 2)));
        JsonNode run = json(visit(learner, Expect.OK, "GET /api/train/runs/current", null));
        for (long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); run.path("active").asBoolean() && System.nanoTime() < deadline; ) {
            Thread.sleep(300);
            run = json(visit(learner, Expect.OK, "GET /api/train/runs/current", null));
        }
        check(run.path("state").asText().equals("finished") && run.path("stepsDone").asInt() == 5, "the 5-step run finished: " + run);
        visit(learner, Expect.OK, "POST /api/train/runs/current/stop", Map.of());
        JsonNode saved = json(visit(learner, Expect.OK, "POST /api/train/runs/current/save", Map.of("name", "readme sorter")));
        check(saved.path("id").asText().equals("readme-sorter"), "saved under its name: " + saved);
        visit(learner, Expect.OK, "GET /models/{id}", null, saved.path("id").asText());
    }

    /** The quantization lab on the sorter (the smallest trained model): started, watched until it has its report. */
    private static void quantizeApi(Browserless learner) throws Exception {
        visit(learner, Expect.OK, "POST /api/models/{id}/quantize", null, "sorter");
        JsonNode run = json(visit(learner, Expect.OK, "GET /api/models/{id}/quantize", null, "sorter"));
        for (long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); run.path("active").asBoolean() && System.nanoTime() < deadline; ) {
            Thread.sleep(300);
            run = json(visit(learner, Expect.OK, "GET /api/models/{id}/quantize", null, "sorter"));
        }
        check(run.path("state").asText().equals("finished") && run.path("variants").size() == 3
                && run.path("variants").path(1).path("heldOutLoss").isNumber(), "the lab on the sorter finished with F32, Q8_0, Q4_0: " + run);
    }

    /** A 3-step LoRA fine-tune of tiny-stories: options, start, watch, stop, save, and the saved model's page naming its base. */
    private static void fineTuneApi(Browserless learner) throws Exception {
        JsonNode options = json(visit(learner, Expect.OK, "GET /api/models/{id}/finetune", null, "tiny-stories"));
        check(options.path("fineTunable").asBoolean(), "tiny-stories can be fine-tuned: " + options);
        visit(learner, Expect.OK, "POST /api/models/{id}/finetune/runs",
                Map.of("method", "lora", "steps", 3, "rank", 4, "targets", List.of("q_proj", "v_proj"), "batch", 2, "seqLen", 32), "tiny-stories");
        JsonNode run = json(visit(learner, Expect.OK, "GET /api/models/{id}/finetune/runs/current", null, "tiny-stories"));
        for (long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); run.path("active").asBoolean() && System.nanoTime() < deadline; ) {
            Thread.sleep(300);
            run = json(visit(learner, Expect.OK, "GET /api/models/{id}/finetune/runs/current", null, "tiny-stories"));
        }
        check(run.path("state").asText().equals("finished") && run.path("stepsDone").asInt() == 3, "the 3-step fine-tune finished: " + run);
        visit(learner, Expect.OK, "POST /api/models/{id}/finetune/runs/current/stop", Map.of(), "tiny-stories");
        JsonNode saved = json(visit(learner, Expect.OK, "POST /api/models/{id}/finetune/runs/current/save", Map.of("name", "readme sea"), "tiny-stories"));
        check(saved.path("id").asText().equals("readme-sea"), "saved under its name: " + saved);
        JsonNode model = json(visit(learner, Expect.OK, "GET /api/models/{id}", null, "readme-sea"));
        check(model.path("card").path("baseModel").toString().contains("tiny-stories"), "the card names its base model: " + model.path("card"));
    }

    private static void kernelApi(Browserless learner) throws Exception {
        String kernel = json(visit(learner, Expect.OK, "POST /api/kernels", null)).path("id").asText();
        ok(learner, "GET /api/kernels/{id}", kernel);
        JsonNode sum = json(visit(learner, Expect.OK, "POST /api/kernels/{id}/execute", Map.of("code", "1 + 1"), kernel));
        check(sum.path("outputs").path(0).path("data").path("text/plain").asText().equals("2"), "1 + 1 in a kernel is 2: " + sum);
        JsonNode completions = json(visit(learner, Expect.OK, "POST /api/kernels/{id}/complete", Map.of("code", "Math.ab", "cursor", 7), kernel));
        check(completions.path("options").toString().contains("abs"), "Math.ab completes to abs: " + completions);
        visit(learner, Expect.OK, "POST /api/kernels/{id}/interrupt", null, kernel);
        visit(learner, Expect.OK, "POST /api/kernels/{id}/restart", null, kernel);
        visit(learner, Expect.OK, "DELETE /api/kernels/{id}", null, kernel);
    }

    /** One model's card and weights, then each inference endpoint: a valid call must work where the model kind has it. */
    private static void modelApi(Browserless learner, JsonNode model) throws Exception {
        String id = model.path("id").asText();
        boolean encoder = encoder(model);
        ok(learner, "GET /api/models/{id}", id);
        JsonNode tensors = ok(learner, "GET /api/models/{id}/tensors", id);
        JsonNode matrix = null, quantized = null, vocabulary = null;
        for (JsonNode t : tensors) {
            JsonNode shape = t.path("shape");
            if (vocabulary == null && t.path("vocabulary").asBoolean()) vocabulary = t;
            if (matrix == null && shape.size() == 2 && shape.get(0).asLong() >= 2 && shape.get(1).asLong() >= 4) matrix = t;
            if (quantized == null && t.path("quantized").asBoolean()) quantized = t;
        }
        if (matrix != null) {
            String name = matrix.path("name").asText();
            JsonNode stats = ok(learner, "GET /api/models/{id}/tensors/<rest>", id, name + "/stats");
            check(stats.path("count").asLong() > 0, "stats of " + id + " " + name + " count its values: " + stats);
            JsonNode values = ok(learner, "GET /api/models/{id}/tensors/<rest>", id, name + "/values?rows=0:2&cols=0:4");
            check(values.path("data").size() == 8, "a 2 x 4 slice of " + id + " " + name + ": " + values);
            visit(learner, Expect.OK, "GET /api/models/{id}/tensors/<rest>", null, id, name + ".npy");
            JsonNode top = ok(learner, "GET /api/models/{id}/tensors/<rest>", id, name + "/top-rows?count=4&cols=0:4");
            check(top.path("rowIndex").size() == Math.min(4, matrix.path("shape").get(0).asInt()), "the largest-norm rows of " + id + " " + name + ": " + top);
        } else {
            failures.add(id + " should have a matrix among its tensors: " + tensors);
        }
        if (quantized != null) ok(learner, "GET /api/models/{id}/tensors/<rest>", id, quantized.path("name").asText() + "/blocks?count=2");

        // the text the model's attention page opens with: one its tokenizer can read (induction-2l reads only letters and digits)
        String text = OPENING_TEXT.matcher(visit(learner, Expect.OK, "GET /models/{id}/attention", null, id).body()).results()
                .map(m -> m.group(1)).findFirst().orElse("");
        check(!text.isEmpty(), "the attention page of " + id + " opens with a text");
        if (vocabulary != null) {       // the row of the text's first word in a tensor with one row per token
            String word = java.net.URLEncoder.encode(text.strip().split("\\s+")[0], StandardCharsets.UTF_8);
            JsonNode rows = ok(learner, "GET /api/models/{id}/tensors/<rest>", id, vocabulary.path("name").asText() + "/token-rows?text=" + word);
            check(rows.path("tokens").size() > 0, "the first word of " + id + "'s text has token rows: " + rows);
        }
        JsonNode tokens = json(visit(learner, Expect.OK, "POST /api/models/{id}/tokenize", Map.of("text", text), id));
        check(tokens.path("ids").size() > 0, "tokenize " + id + " gives tokens: " + tokens);
        visit(learner, encoder ? Expect.OK : Expect.NO_SERVER_ERROR, "POST /api/models/{id}/embed", Map.of("text", text), id);
        visit(learner, Expect.OK, "POST /api/models/{id}/attention", Map.of("text", text), id);
        visit(learner, Expect.OK, "POST /api/models/{id}/attention", Map.of("text", text, "ablate", List.of(List.of(0, 0))), id);
        visit(learner, Expect.OK, "POST /api/models/{id}/trace", Map.of("text", text, "hooks", List.of("blocks.0.attn.hook_pattern")), id);
        visit(learner, Expect.OK, "POST /api/models/{id}/layers", Map.of("text", text), id);
        HttpResponse<String> generated = visit(learner, encoder ? Expect.NO_SERVER_ERROR : Expect.OK, "POST /api/models/{id}/generate",
                Map.of("prompt", text, "max_tokens", 4, "temperature", 0), id);
        if (!encoder && generated.statusCode() == 200) {
            check(generated.body().contains("\"done\":true"), "generating with " + id + " ends with its done line: " + generated.body());
        }
    }

    // ---- requests, recorded per route ----

    enum Expect {
        /** A valid request: it must succeed (2xx, or a form's 303). */
        OK,
        /** A request the route may refuse for this model kind (4xx), but never fail on (5xx). */
        NO_SERVER_ERROR
    }

    private static final Pattern OPENING_TEXT = Pattern.compile("id=\"attention-text\"[^>]*value=\"([^\"]*)\"");
    private static final Pattern PARAM = Pattern.compile("\\{[^}]+}|<[^>]+>");

    /** Sends {@code route} ("METHOD /path/{param}") with its params filled in order; records and checks the answer. */
    static HttpResponse<String> visit(Browserless as, Expect expect, String route, Object body, String... params) throws Exception {
        String path = path(route, params);
        String method = route.substring(0, route.indexOf(' '));
        HttpResponse<String> response = method.equals("GET") ? as.get(path) : as.call(method, path, body);
        return record(route, method + " " + path, expect, response);
    }

    /** A GET that must succeed, as JSON. */
    static JsonNode ok(Browserless as, String route, String... params) throws Exception {
        return json(visit(as, Expect.OK, route, null, params));
    }

    /** A plain HTML form post, as the pages send it. */
    static HttpResponse<String> form(Browserless as, String route, Map<String, String> fields, String... params) throws Exception {
        String path = path(route, params);
        return record(route, "POST " + path, Expect.OK, as.form(path, fields));
    }

    private static String path(String route, String... params) {
        assertTrue(ROUTES.stream().anyMatch(r -> r.key().equals(route)), "ReadmeStartIT.ROUTES does not list " + route);
        Matcher m = PARAM.matcher(route.substring(route.indexOf(' ') + 1));
        StringBuilder path = new StringBuilder();
        int i = 0;
        while (m.find()) {
            assertTrue(i < params.length, route + " needs more parameters than " + List.of(params));
            m.appendReplacement(path, Matcher.quoteReplacement(params[i++]));
        }
        m.appendTail(path);
        assertEquals(params.length, i, route + " takes " + i + " parameters, given " + List.of(params));
        return path.toString();
    }

    private static HttpResponse<String> record(String route, String request, Expect expect, HttpResponse<String> response) {
        int status = response.statusCode();
        answers.computeIfAbsent(route, r -> Collections.synchronizedList(new ArrayList<>())).add(status);
        if (status >= 500 || (expect == Expect.OK && status >= 400)) {
            String body = response.body() == null ? "" : response.body();
            failures.add(request + " -> " + status + ": " + body.substring(0, Math.min(300, body.length())));
        }
        return response;
    }

    /**
     * Every failed request so far, every route of {@code mode} that never answered a valid request, and the
     * server's log lines that say something went wrong, reported together.
     */
    private static void assertWalkComplete(Mode mode, PackagedServer running) {
        List<String> problems = new ArrayList<>(failures);
        for (Route route : ROUTES) {
            if (route.mode() != mode) continue;
            List<Integer> statuses = answers.getOrDefault(route.key(), List.of());
            if (statuses.stream().noneMatch(s -> s < 400)) {
                problems.add(route.key() + " never answered a valid request (statuses: " + statuses + ")");
            }
        }
        List<String> troubles = running.troubles();
        for (String line : troubles.subList(0, Math.min(20, troubles.size()))) problems.add("server log: " + line);
        if (troubles.size() > 20) problems.add("server log: ... " + (troubles.size() - 20) + " more such lines in " + LOGS);
        if (!problems.isEmpty()) fail(problems.size() + " problems in " + mode + " mode:\n  " + String.join("\n  ", problems));
    }

    private static void assertNoTroubleIn(PackagedServer running, String which) {
        List<String> troubles = running.troubles();
        if (!troubles.isEmpty()) {
            fail("the " + which + " logged " + troubles.size() + " lines with ERROR, SEVERE, an exception or an error (all in " + LOGS + "):\n  "
                    + String.join("\n  ", troubles.subList(0, Math.min(40, troubles.size())))
                    + (troubles.size() > 40 ? "\n  ..." : ""));
        }
    }

    /**
     * Waits until the server is up and its shipped models are ready: the health's {@code models.state} says
     * "ready" where the health reports it, else {@code /api/models} answers 200.
     */
    static void awaitModelsReady(int port) throws Exception {
        Browserless probe = new Browserless(port);
        long deadline = System.nanoTime() + MODELS_READY.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> health = probe.get("/api/health");
                last = "GET /api/health -> " + health.statusCode() + " " + health.body();
                if (health.statusCode() == 200) {
                    JsonNode models = json(health).path("models");
                    if (models.has("state")) {
                        if (models.get("state").asText().equals("ready")) return;
                    } else {
                        HttpResponse<String> list = probe.get("/api/models");
                        last = "GET /api/models -> " + list.statusCode();
                        if (list.statusCode() == 200) return;
                    }
                }
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        fail("the models were not ready within " + MODELS_READY.toSeconds() + " s; last: " + last);
    }

    private static boolean encoder(JsonNode model) {
        return model.path("family").asText().equals("bert");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) if (Files.isExecutable(Path.of(dir, command))) return true;
        return false;
    }

    /** The answer as JSON; a missing node (and a recorded failure, if it claimed success) when it is not JSON. */
    static JsonNode json(HttpResponse<String> response) {
        try {
            JsonNode node = Browserless.json(response);
            if (node != null) return node;
        } catch (java.io.IOException notJson) {
            // said below, when the request claimed success
        }
        if (response.statusCode() < 400) {
            failures.add(response.request().method() + " " + response.uri().getPath() + " -> " + response.statusCode() + " with no JSON: "
                    + response.body().substring(0, Math.min(300, response.body().length())));
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** A check of what an answer says; a wrong one is a failure reported with the others at the end of the walk. */
    private static void check(boolean condition, String what) {
        if (!condition) failures.add("expected: " + what);
    }
}
