package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import dev.glassbox.web.classroom.Passphrase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Classroom mode over real HTTP, with real (sandboxed) kernels and a real SQLite file: the teacher
 * signs in and makes a class, students join it, and no student reaches another's kernels, cells or
 * progress; the teacher's dashboard sees them all and its actions work.
 */
class ClassroomTest {
    static final String LESSON = "vectors-in-the-notebook";
    static final String PASSPHRASE = "correct horse battery";

    @TempDir
    static Path data;
    static App app;
    static Browserless teacher;
    static String code;

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(4)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, data, null, kernels).withClassroom(Passphrase.of(PASSPHRASE)));
        teacher = new Browserless(app);
        assertEquals(303, teacher.signIn(PASSPHRASE).statusCode());
        code = createClass(teacher, "Period 3");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static String createClass(Browserless teacher, String name) throws Exception {
        HttpResponse<String> created = teacher.form("/teacher/classes", Map.of("csrf", teacher.csrf, "name", name));
        assertEquals(303, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertTrue(location.matches("/teacher/class/[A-Z2-9]{6}"), location);
        return location.substring(location.lastIndexOf('/') + 1);
    }

    static Browserless student(String name) throws Exception {
        Browserless s = new Browserless(app);
        HttpResponse<String> joined = s.join(code, name);
        assertEquals(303, joined.statusCode(), joined.body());
        return s;
    }

    @Test
    void healthSaysClassroom() throws Exception {
        JsonNode health = Browserless.json(new Browserless(app).get("/api/health"));
        assertEquals("classroom", health.get("mode").asText());
    }

    @Test
    void visitorsAreSentToJoinAndRefusedByTheApi() throws Exception {
        Browserless visitor = new Browserless(app);
        HttpResponse<String> home = visitor.get("/");
        assertEquals(303, home.statusCode());
        assertEquals("/join", home.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> lesson = visitor.get("/lessons/" + LESSON);
        assertEquals(303, lesson.statusCode());
        assertEquals("/join?next=%2Flessons%2F" + LESSON, lesson.headers().firstValue("Location").orElseThrow());

        visitor.login();                                   // a script's anonymous session: still not a student
        HttpResponse<String> lessons = visitor.get("/api/lessons");
        assertEquals(401, lessons.statusCode());
        assertTrue(Browserless.json(lessons).get("error").asText().contains("Join a class"), lessons.body());
        assertEquals(401, visitor.call("POST", "/api/kernels", null).statusCode());
        assertEquals(401, visitor.get("/api/lessons/" + LESSON + "/state").statusCode());
        assertEquals(401, visitor.get("/api/lessons/" + LESSON + "/solutions/sum-of-squares").statusCode());
        assertEquals(401, visitor.get("/api/classes/" + code + "/dashboard").statusCode());
        assertEquals(200, visitor.get("/join").statusCode());
        assertEquals(200, visitor.get("/teacher").statusCode());  // the sign-in form
    }

    @Test
    void joinTakesTheCodeInAnyCaseAndRefusesWrongCodesClearly() throws Exception {
        Browserless s = new Browserless(app);
        HttpResponse<String> wrong = s.join("ZZZZZZ".equals(code) ? "YYYYYY" : "ZZZZZZ", "Ada");
        assertEquals(404, wrong.statusCode());
        assertTrue(wrong.body().contains("There is no class with the code"), wrong.body());
        assertTrue(wrong.body().contains("value=\"Ada\""), "the form keeps the typed name");
        HttpResponse<String> malformed = s.join("12", "Ada");
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.body().contains("A class code has 6 letters and digits"), malformed.body());
        assertEquals(401, s.get("/api/lessons").statusCode(), "a refused join makes nobody a student");

        HttpResponse<String> joined = s.join(code.toLowerCase().substring(0, 3) + "-" + code.toLowerCase().substring(3), "Ada");
        assertEquals(303, joined.statusCode(), joined.body());
        assertEquals(200, s.get("/api/lessons").statusCode());
        String page = s.get("/").body();
        assertTrue(page.contains("class " + code), "the header names the class");
    }

    @Test
    void badDisplayNamesAreRefusedAndDuplicatesNumbered() throws Exception {
        Browserless s = new Browserless(app).login();
        for (String bad : new String[] {"", "   ", "x".repeat(41), "Bell\u0007", "Tab\tbed", "Ev\u202Eil", "Zero\u200Bwidth"}) {
            HttpResponse<String> r = s.call("POST", "/api/join", Map.of("code", code, "name", bad));
            assertEquals(400, r.statusCode(), "name " + bad.codePoints().boxed().toList() + ": " + r.body());
            assertFalse(Browserless.json(r).get("error").asText().isBlank());
        }
        assertTrue(Browserless.json(s.call("POST", "/api/join", Map.of("code", code, "name", "x".repeat(41))))
                .get("error").asText().contains("at most 40"));

        JsonNode first = Browserless.json(new Browserless(app).login().call("POST", "/api/join", Map.of("code", code, "name", "  Grace   Hopper ")));
        assertEquals("Grace Hopper", first.get("name").asText());
        JsonNode second = Browserless.json(new Browserless(app).login().call("POST", "/api/join", Map.of("code", code, "name", "grace hopper")));
        assertEquals("grace hopper 2", second.get("name").asText());
        JsonNode longName = Browserless.json(new Browserless(app).login().call("POST", "/api/join", Map.of("code", code, "name", "L".repeat(40))));
        JsonNode longAgain = Browserless.json(new Browserless(app).login().call("POST", "/api/join", Map.of("code", code, "name", "l".repeat(40))));
        assertEquals("L".repeat(40), longName.get("name").asText());
        assertEquals("l".repeat(38) + " 2", longAgain.get("name").asText());
    }

    @Test
    void aStudentComingBackUnderTheirNameKeepsTheirWork() throws Exception {
        Browserless s = student("Linus");
        String firstCell = Browserless.json(s.get("/api/lessons/" + LESSON)).get("cells").get(0).get("id").asText();
        assertEquals(200, s.call("PUT", "/api/lessons/" + LESSON + "/cells/" + firstCell, Map.of("code", "// Linus was here")).statusCode());
        assertEquals(303, s.join(code, "linus").statusCode());
        assertEquals("// Linus was here", Browserless.json(s.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell).get("code").asText());
    }

    @Test
    void twoStudentsCannotReachEachOthersKernelsCellsOrProgress() throws Exception {
        Browserless alice = student("Alice");
        Browserless bob = student("Bob");
        JsonNode lesson = Browserless.json(alice.get("/api/lessons/" + LESSON));
        String firstCell = lesson.get("cells").get(0).get("id").asText();
        String secret = "// Alice's secret\nint aliceSecret = 4242;";

        // Alice edits and runs a cell, and passes the exercise.
        String aliceKernel = alice.openKernel();
        JsonNode run = Browserless.json(alice.call("POST", "/api/kernels/" + aliceKernel + "/execute",
                Map.of("code", secret, "lesson", LESSON, "cell", firstCell)));
        assertEquals("ok", run.get("status").asText(), run.toString());
        JsonNode passed = Browserless.json(alice.call("POST", "/api/kernels/" + aliceKernel + "/execute", Map.of("lesson", LESSON,
                "cell", "sum-of-squares", "code", "static float sumOfSquares(float[] x) { float s = 0; for (float v : x) s += v * v; return s; }")));
        assertTrue(passed.get("exercise").get("passed").asBoolean(), passed.toString());

        // Bob cannot touch her kernel: every kernel route answers 404, as if it did not exist.
        assertEquals(404, bob.call("POST", "/api/kernels/" + aliceKernel + "/execute", Map.of("code", "aliceSecret")).statusCode());
        assertEquals(404, bob.get("/api/kernels/" + aliceKernel).statusCode());
        assertEquals(404, bob.call("POST", "/api/kernels/" + aliceKernel + "/complete", Map.of("code", "alice", "cursor", 5)).statusCode());
        assertEquals(404, bob.call("POST", "/api/kernels/" + aliceKernel + "/interrupt", null).statusCode());
        assertEquals(404, bob.call("POST", "/api/kernels/" + aliceKernel + "/restart", null).statusCode());
        assertEquals(404, bob.call("DELETE", "/api/kernels/" + aliceKernel, null).statusCode());
        // Alice's token is worthless with Bob's cookie, and the other way round.
        assertEquals(403, bob.send("POST", "/api/kernels/" + aliceKernel + "/execute", Map.of("code", "1"),
                Map.of("X-CSRF-Token", alice.csrf, "Origin", bob.base)).statusCode());

        // Bob's own kernel does not see her variables (separate JVMs).
        String bobKernel = bob.openKernel();
        JsonNode probe = bob.execute(bobKernel, "aliceSecret");
        assertEquals("error", probe.get("status").asText(), probe.toString());

        // Bob sees only his own cells and progress: the lesson's code, no outputs, nothing passed.
        JsonNode bobsCell = Browserless.json(bob.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell);
        assertEquals(lesson.get("cells").get(0).get("code").asText(), bobsCell.get("code").asText());
        assertFalse(bobsCell.get("edited").asBoolean());
        assertEquals(0, bobsCell.get("outputs").size());
        assertEquals(0, passedIn(Browserless.json(bob.get("/api/lessons")), LESSON));
        assertEquals(1, passedIn(Browserless.json(alice.get("/api/lessons")), LESSON));
        // ... and the lesson page he is served holds his code, not hers (the UI reads the same state).
        String bobsPage = bob.get("/lessons/" + LESSON).body();
        assertFalse(bobsPage.contains("aliceSecret"), "Bob's lesson page shows Alice's code");
        assertTrue(alice.get("/lessons/" + LESSON).body().contains("aliceSecret"), "Alice's page shows her code");

        // Resetting or saving a cell only ever touches the sender's own row.
        assertEquals(200, bob.call("DELETE", "/api/lessons/" + LESSON + "/cells/" + firstCell, null).statusCode());
        assertEquals(200, bob.call("PUT", "/api/lessons/" + LESSON + "/cells/" + firstCell, Map.of("code", "// Bob")).statusCode());
        assertEquals(secret, Browserless.json(alice.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell).get("code").asText());

        // Students are not teachers: the dashboard and its actions are closed to them.
        assertEquals(403, bob.get("/api/classes/" + code + "/dashboard").statusCode());
        JsonNode dashboard = Browserless.json(teacher.get("/api/classes/" + code + "/dashboard"));
        String aliceId = studentId(dashboard, "Alice");
        assertEquals(403, bob.call("POST", "/api/classes/" + code + "/students/" + aliceId + "/restart", null).statusCode());
        assertEquals(403, bob.call("POST", "/api/classes/" + code + "/lessons/" + LESSON + "/reset", null).statusCode());
        assertEquals(303, bob.get("/teacher/class/" + code).statusCode());

        // The teacher sees both, each with their own progress and kernel.
        JsonNode aliceRow = studentRow(dashboard, "Alice");
        JsonNode bobRow = studentRow(dashboard, "Bob");
        assertEquals(1, aliceRow.get("lessons").get(LESSON).get("exercisesPassed").asInt(), aliceRow.toString());
        assertTrue(aliceRow.get("lessons").get(LESSON).get("cellsEdited").asInt() >= 1, aliceRow.toString());
        assertEquals("ok", aliceRow.get("lessons").get(LESSON).get("lastStatus").asText());
        assertEquals(0, bobRow.get("lessons").get(LESSON).get("exercisesPassed").asInt(), bobRow.toString());
        assertEquals(1, aliceRow.get("kernels").size());
        assertEquals("active", aliceRow.get("presence").asText());
        assertEquals("Period 3", dashboard.get("classroom").get("name").asText());
    }

    @Test
    void theDashboardSaysWhenAndWhyAStudentsKernelWasStopped() throws Exception {
        Browserless dave = student("Dave");
        String kernel = dave.openKernel();
        assertEquals("ok", dave.execute(kernel, "1 + 1").get("status").asText());
        JsonNode calm = studentRow(Browserless.json(teacher.get("/api/classes/" + code + "/dashboard")), "Dave");
        assertEquals(0, calm.get("kernels").get(0).get("stops").size(), calm.toString());
        assertFalse(calm.get("kernels").get(0).get("penalized").asBoolean(), calm.toString());

        JsonNode exited = dave.execute(kernel, "System.exit(0);");
        String told = exited.get("outputs").get(exited.get("outputs").size() - 1).get("message").asText();
        JsonNode row = studentRow(Browserless.json(teacher.get("/api/classes/" + code + "/dashboard")), "Dave");
        JsonNode stops = row.get("kernels").get(0).get("stops");
        assertEquals(1, stops.size(), row.toString());
        assertEquals(told, stops.get(0).get("reason").asText(), "the teacher reads what the student was told");
        assertTrue(told.contains("System.exit"), told);
        assertFalse(stops.get(0).get("at").asText().isEmpty());
        assertTrue(row.get("kernels").get(0).get("penalized").asBoolean(), "its cells wait behind the class's for a while: " + row);
        assertEquals("2", dave.execute(kernel, "1 + 1").at("/outputs/0/data/text~1plain").asText(), "the student carries on in a new kernel");
    }

    @Test
    void theTeacherRestartsAStudentsKernelAndResetsALessonForTheClass() throws Exception {
        Browserless carol = student("Carol");
        String kernel = carol.openKernel();
        assertEquals("ok", carol.execute(kernel, "int carols = 7;").get("status").asText());
        String firstCell = Browserless.json(carol.get("/api/lessons/" + LESSON)).get("cells").get(0).get("id").asText();
        assertEquals(200, carol.call("PUT", "/api/lessons/" + LESSON + "/cells/" + firstCell, Map.of("code", "// Carol's edit")).statusCode());

        // A student is reachable only through their own class.
        String otherCode = createClass(teacher, "Other class");
        String carolId = studentId(Browserless.json(teacher.get("/api/classes/" + code + "/dashboard")), "Carol");
        assertEquals(404, teacher.call("POST", "/api/classes/" + otherCode + "/students/" + carolId + "/restart", null).statusCode());
        assertEquals(404, teacher.call("POST", "/api/classes/NOSUCH/students/" + carolId + "/restart", null).statusCode());
        // Without the CSRF token even the teacher's cookie does nothing.
        assertEquals(403, teacher.send("POST", "/api/classes/" + code + "/students/" + carolId + "/restart", null, Map.of()).statusCode());

        JsonNode restarted = Browserless.json(teacher.call("POST", "/api/classes/" + code + "/students/" + carolId + "/restart", null));
        assertEquals(1, restarted.get("restarted").asInt());
        assertEquals("error", carol.execute(kernel, "carols").get("status").asText(), "variables are gone after the restart");
        JsonNode row = studentRow(Browserless.json(teacher.get("/api/classes/" + code + "/dashboard")), "Carol");
        assertEquals(1, row.get("kernels").get(0).get("restarts").asInt());

        // Reset a lesson in the other class: Carol's edit stays. In hers: it is gone.
        JsonNode none = Browserless.json(teacher.call("POST", "/api/classes/" + otherCode + "/lessons/" + LESSON + "/reset", null));
        assertEquals(0, none.get("cellsCleared").asInt());
        assertTrue(Browserless.json(carol.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell).get("edited").asBoolean());
        JsonNode reset = Browserless.json(teacher.call("POST", "/api/classes/" + code + "/lessons/" + LESSON + "/reset", null));
        assertTrue(reset.get("cellsCleared").asInt() >= 1, reset.toString());
        assertFalse(Browserless.json(carol.get("/api/lessons/" + LESSON + "/state")).get("cells").get(firstCell).get("edited").asBoolean());
        assertEquals(404, teacher.call("POST", "/api/classes/" + code + "/lessons/no-such-lesson/reset", null).statusCode());
    }

    @Test
    void theDashboardPageIsTheTeachers() throws Exception {
        HttpResponse<String> page = teacher.get("/teacher/class/" + code);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("data-page=\"dashboard\""));
        assertTrue(page.body().contains("/join?code=" + code), "the page says where students join");
        assertFalse(page.body().contains("<script>"), "no inline scripts");
        assertEquals(404, teacher.get("/teacher/class/QQQQQQ").statusCode());
        HttpResponse<String> classes = teacher.get("/teacher");
        assertTrue(classes.body().contains(code) && classes.body().contains("Period 3"), "the class is listed");
    }

    @Test
    void aSignedOutTeacherIsNoTeacher() throws Exception {
        Browserless t = new Browserless(app);
        HttpResponse<String> wrong = t.signIn("not the passphrase");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.body().contains("That is not the teacher passphrase."));
        assertFalse(wrong.body().contains("not the passphrase\""), "the guess is not echoed back");
        assertEquals(303, t.signIn(PASSPHRASE).statusCode());
        assertEquals(200, t.get("/api/classes/" + code + "/dashboard").statusCode());
        HttpResponse<String> out = t.form("/teacher/logout", Map.of("csrf", t.csrf));
        assertEquals(303, out.statusCode());
        assertEquals(401, t.get("/api/classes/" + code + "/dashboard").statusCode());
    }

    @Test
    void cookiesAreSecureBehindHttps() throws Exception {
        Browserless s = new Browserless(app);
        HttpResponse<String> plain = s.get("/join");
        assertFalse(plain.headers().firstValue("Set-Cookie").orElseThrow().contains("Secure"));
        HttpResponse<String> proxied = s.send("GET", "/join", null, Map.of("X-Forwarded-Proto", "https"));
        String cookie = proxied.headers().firstValue("Set-Cookie").orElse("");
        // the form cookie exists already for this client: ask a new one
        if (cookie.isEmpty()) cookie = new Browserless(app).send("GET", "/join", null, Map.of("X-Forwarded-Proto", "https"))
                .headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        // any Host is fine in classroom mode (students use the room's address)
        assertEquals(200, s.send("GET", "/join", null, Map.of("Host", "glassbox.school.example")).statusCode());
    }

    static JsonNode studentRow(JsonNode dashboard, String name) {
        for (JsonNode s : dashboard.get("students")) if (s.get("name").asText().equals(name)) return s;
        throw new AssertionError("no student " + name + " on the dashboard: " + dashboard);
    }

    static String studentId(JsonNode dashboard, String name) {
        return studentRow(dashboard, name).get("id").asText();
    }

    @Test
    void theTeacherGetsKernelsReadyForTheStudentsStillToCome() throws Exception {
        String group = createClass(teacher, "Early group");
        assertEquals(200, teacher.call("POST", "/api/classes/" + group + "/size", Map.of("maxStudents", 3)).statusCode());
        Browserless ada = new Browserless(app);
        assertEquals(303, ada.join(group, "Ada").statusCode());
        ada.openKernel();
        var pool = app.deps().kernels().pool();
        try {
            HttpResponse<String> asked = teacher.call("POST", "/api/classes/" + group + "/kernels/ready", null);
            assertEquals(200, asked.statusCode(), asked.body());
            assertEquals(2, Browserless.json(asked).get("target").asInt(), "Ada has a kernel; two students may still come: " + asked.body());
            assertTrue(ada.call("POST", "/api/classes/" + group + "/kernels/ready", null).statusCode() >= 400, "a student cannot ask");

            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            JsonNode resources = null;
            while (System.nanoTime() < deadline) {
                resources = Browserless.json(teacher.get("/api/classes/" + group + "/dashboard")).get("resources");
                if (resources.get("kernelsWarm").asInt() >= 2) break;
                Thread.sleep(200);
            }
            assertEquals(2, resources.get("kernelsWanted").asInt(), resources.toString());
            assertTrue(resources.get("kernelsWarm").asInt() >= 2, "both kernels are ready on the dashboard: " + resources);

            Browserless bob = new Browserless(app);
            assertEquals(303, bob.join(group, "Bob").statusCode());
            bob.openKernel();                                        // takes one of them
            JsonNode after = Browserless.json(teacher.get("/api/classes/" + group + "/dashboard")).get("resources");
            assertEquals(1, after.get("kernelsWanted").asInt(), "one student still to come: " + after);
        } finally {
            pool.expect(0, Duration.ZERO);                           // the other tests share this server
        }
    }

    @Test
    void theTeacherSetsTheClassSizeAndRemovesAStudentClosingTheirKernels() throws Exception {
        String small = createClass(teacher, "Small group");
        HttpResponse<String> sized = teacher.call("POST", "/api/classes/" + small + "/size", Map.of("maxStudents", 2));
        assertEquals(200, sized.statusCode(), sized.body());
        Browserless ada = new Browserless(app);
        assertEquals(303, ada.join(small, "Ada").statusCode());
        Browserless bob = new Browserless(app);
        assertEquals(303, bob.join(small, "Bob").statusCode());
        Browserless third = new Browserless(app);
        HttpResponse<String> refused = third.form("/join", Map.of("csrf", third.formToken("/join"), "code", small, "name", "Cy", "next", "/"));
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("is full"), refused.body());
        HttpResponse<String> refusedApi = new Browserless(app).login().call("POST", "/api/join", Map.of("code", small, "name", "Di"));
        assertEquals(403, refusedApi.statusCode());
        assertTrue(Browserless.json(refusedApi).get("error").asText().contains("Ask your teacher to make room"), refusedApi.body());

        String page = teacher.get("/teacher/class/" + small).body();
        assertTrue(page.contains("at most 2 students may join") && page.contains("progress.csv"), "the dashboard shows the size and the export");
        assertTrue(page.contains("Sandbox: bubblewrap") && page.contains("per student") && page.contains("Memory budget of all kernels"),
                "the dashboard shows the limits in force");
        String kernel = ada.openKernel();
        JsonNode dashboard = Browserless.json(teacher.get("/api/classes/" + small + "/dashboard"));
        assertEquals(2, dashboard.get("classroom").get("maxStudents").asInt(), dashboard.toString());
        assertEquals(app.deps().kernels().pool().memoryBudget().limitBytes(), dashboard.get("resources").get("kernelBudgetBytes").asLong(),
                "the dashboard shows the kernels' memory budget: " + dashboard.get("resources"));
        String adaId = "";
        for (JsonNode row : dashboard.get("students")) {
            if (row.get("name").asText().equals("Ada")) adaId = row.get("id").asText();
            assertTrue(row.hasNonNull("lastSeen"), "each student's last activity is shown: " + row);
        }
        HttpResponse<String> removed = teacher.call("POST", "/api/classes/" + small + "/students/" + adaId + "/remove", null);
        assertEquals(200, removed.statusCode(), removed.body());
        assertEquals(1, Browserless.json(removed).get("kernelsClosed").asInt());
        assertTrue(app.deps().kernels().of(adaId).isEmpty(), "Ada's kernel is closed");
        assertEquals(401, ada.get("/api/kernels/" + kernel).statusCode(), "Ada's session ended: she is a visitor now");
        JsonNode after = Browserless.json(teacher.get("/api/classes/" + small + "/dashboard"));
        assertEquals(1, after.get("classroom").get("students").asInt(), after.toString());
        assertEquals(303, third.join(small, "Cy").statusCode(), "the removed student's place is free again");
        assertEquals(403, bob.call("POST", "/api/classes/" + small + "/students/" + adaId + "/remove", null).statusCode(),
                "only the teacher removes students");
    }

    @Test
    void theTeacherExportsProgressAsCsv() throws Exception {
        String klass = createClass(teacher, "Export");
        Browserless ada = new Browserless(app);
        assertEquals(303, ada.join(klass, "=Ada, \"the first\"").statusCode());
        String adaId = Browserless.json(teacher.get("/api/classes/" + klass + "/dashboard")).get("students").get(0).get("id").asText();
        var store = app.deps().store();
        store.saveExercise(adaId, LESSON, "sum-of-squares", false, "not yet");
        store.saveExercise(adaId, LESSON, "sum-of-squares", true, "Passed.");
        store.saveExercise(adaId, LESSON, "sum-of-squares", false, "broke it again");
        HttpResponse<String> csv = teacher.get("/api/classes/" + klass + "/progress.csv");
        assertEquals(200, csv.statusCode(), csv.body());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        var lines = csv.body().lines().toList();
        assertEquals("student,joined,last_seen,lesson,exercise,attempts,passed,first_passed,last_checked", lines.getFirst());
        String row = lines.stream().filter(l -> l.contains("," + LESSON + ",sum-of-squares,")).findFirst().orElseThrow(() -> new AssertionError(csv.body()));
        assertTrue(row.startsWith("\"'=Ada, \"\"the first\"\"\","), "a name is quoted and cannot run as a formula: " + row);
        String[] tail = row.substring(row.indexOf("," + LESSON + ",")).split(",", -1);
        assertEquals("3", tail[3], "three attempts: " + row);
        assertEquals("false", tail[4], "the last check failed: " + row);
        assertFalse(tail[5].isEmpty(), "it passed once, and when is kept: " + row);
        assertTrue(lines.size() > 2, "every exercise of every lesson has a row, tried or not");
        assertEquals(403, ada.get("/api/classes/" + klass + "/progress.csv").statusCode(), "students cannot export");
    }

    @Test
    void cookieLessVisitsWriteNoRowsAndTheirSessionsStillWork() throws Exception {
        long before = learnerRows();
        for (int i = 0; i < 50; i++) new Browserless(app).login();
        assertEquals(before, learnerRows(), "a visitor's session is kept in memory, not in the database");
        Browserless visitor = new Browserless(app).login();
        HttpResponse<String> joined = visitor.call("POST", "/api/join", Map.of("code", code, "name", "Lazy Visitor"));
        assertEquals(200, joined.statusCode(), "the visitor's CSRF token works for joining: " + joined.body());
        assertEquals(before + 1, learnerRows(), "joining makes the one row");
    }

    static long learnerRows() throws Exception {
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("glassbox.db"));
             var rs = db.createStatement().executeQuery("SELECT count(*) FROM learner")) {
            return rs.getLong(1);
        }
    }

    /** Exercises passed in lesson {@code id}, from a learner's {@code GET /api/lessons}. */
    static int passedIn(JsonNode lessons, String id) {
        for (JsonNode lesson : lessons) if (lesson.path("id").asText().equals(id)) return lesson.path("progress").path("exercisesPassed").asInt();
        throw new AssertionError("lesson " + id + " expected in " + lessons);
    }
}
