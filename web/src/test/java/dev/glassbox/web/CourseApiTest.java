package dev.glassbox.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.notebook.host.KernelSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Quizzes, the course map, search, the glossary and notebook files over real HTTP, on the fixture lessons in test resources. */
class CourseApiTest {
    static final String FIRST = "first-steps";

    @TempDir
    static Path data;
    static App app;

    static Path fixtureLessons() {
        try {
            return Path.of(CourseApiTest.class.getResource("/course-lessons").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        KernelSettings kernels = KernelSettings.defaults(data.resolve("scratch")).withTimeLimit(Duration.ofSeconds(20)).withPoolSize(1);
        app = App.start(new App.Settings("127.0.0.1", 0, data, fixtureLessons(), kernels));
        assertEquals(List.of(), app.deps().lessons().problems(), "the fixture lessons parse");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aQuizIsGradedOnTheServerAndItsKeyWaitsForTheAnswer() throws Exception {
        Browserless learner = new Browserless(app).login();
        JsonNode lesson = Browserless.json(learner.get("/api/lessons/" + FIRST));
        assertFalse(lesson.toString().contains("Right: they are probabilities"), "the page's data holds no explanation: " + lesson);
        assertEquals("one", lesson.at("/quizzes/0/kind").asText());

        JsonNode wrong = Browserless.json(learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/softmax-sum", Map.of("choices", List.of(0))));
        assertFalse(wrong.get("correct").asBoolean());
        assertEquals("Softmax outputs are positive.", wrong.at("/choices/0/explanation").asText());
        assertTrue(wrong.at("/choices/1").isEmpty(), "an unchosen choice says nothing after a wrong answer: " + wrong);
        assertEquals(0, progress(learner).get("quizzesPassed").asInt());

        JsonNode right = Browserless.json(learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/softmax-sum", Map.of("choices", List.of(1))));
        assertTrue(right.get("correct").asBoolean());
        assertEquals("Right: they are probabilities.", right.at("/choices/1/explanation").asText());
        assertEquals(1, progress(learner).get("quizzesPassed").asInt());
        assertEquals(2, progress(learner).get("quizzes").asInt());

        JsonNode text = Browserless.json(learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/q8-bytes", Map.of("text", "32")));
        assertFalse(text.get("correct").asBoolean());
        assertTrue(text.path("answer").isMissingNode(), "no answer after a wrong one: " + text);
        JsonNode revealed = Browserless.json(learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/q8-bytes", Map.of("reveal", true)));
        assertEquals("34", revealed.get("answer").asText());
        assertEquals(1, progress(learner).get("quizzesPassed").asInt(), "revealing is not passing");
        assertTrue(Browserless.json(learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/q8-bytes", Map.of("text", " 34 Bytes")))
                .get("correct").asBoolean());
        assertEquals(2, progress(learner).get("quizzesPassed").asInt());

        JsonNode state = Browserless.json(learner.get("/api/lessons/" + FIRST + "/state"));
        assertTrue(state.at("/quizzes/softmax-sum/correct").asBoolean(), state.toString());

        assertEquals(400, learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/softmax-sum", Map.of("choices", List.of(7))).statusCode());
        assertEquals(400, learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/softmax-sum", Map.of("text", "1")).statusCode());
        assertEquals(404, learner.call("POST", "/api/lessons/" + FIRST + "/quizzes/nope", Map.of("text", "1")).statusCode());
        Browserless otherBrowser = new Browserless(app).login();
        assertEquals(progress(learner).get("quizzesPassed").asInt(), progress(otherBrowser).get("quizzesPassed").asInt(),
                "single-user mode: the owner's progress in every browser");
    }

    private static JsonNode progress(Browserless learner) throws Exception {
        for (JsonNode lesson : Browserless.json(learner.get("/api/lessons"))) {
            if (lesson.get("id").asText().equals(FIRST)) return lesson.get("progress");
        }
        throw new AssertionError("no lesson " + FIRST);
    }

    @Test
    void lessonPageShowsThePlanHintsTermsAndNextLessonButNoTeacherNoteToALearner() throws Exception {
        Browserless learner = new Browserless(app).login();
        String page = learner.get("/lessons/" + FIRST).body();
        assertTrue(page.contains("About 5 minutes"), page);
        assertTrue(page.contains("Add two numbers in a cell"), page);
        assertTrue(page.contains("Hint 1 of 2") && page.contains("Hint 2 of 2"), page);
        assertTrue(page.contains("aria-describedby=\"term-def-1\""), page);
        assertTrue(page.contains("href=\"/lessons/next-steps\""), "next lesson link: " + page);
        assertFalse(page.contains("what a probability of 0 would mean"), "teacher notes are for the teacher only");
        assertFalse(page.contains("Right: they are probabilities"), "no quiz key in the page");
        assertTrue(page.contains("id=\"quiz-softmax-sum\"") && page.contains("id=\"cell-add\""), page);
        String next = learner.get("/lessons/next-steps").body();
        assertTrue(next.contains("Before this:") && next.contains("href=\"/lessons/first-steps\""), next);
    }

    @Test
    void teacherNotesAreForTheTeacherAndQuizzesReachTheDashboard(@TempDir Path classData) throws Exception {
        KernelSettings kernels = KernelSettings.defaults(classData.resolve("scratch")).withPoolSize(0);
        try (App classroom = App.start(new App.Settings("127.0.0.1", 0, classData, fixtureLessons(), kernels)
                .withClassroom(dev.glassbox.web.classroom.Passphrase.of("correct horse battery")))) {
            Browserless teacher = new Browserless(classroom.port());
            assertEquals(303, teacher.signIn("correct horse battery").statusCode());
            HttpResponse<String> created = teacher.form("/teacher/classes", Map.of("csrf", teacher.csrf, "name", "Period 3"));
            String location = created.headers().firstValue("Location").orElseThrow();
            String code = location.substring(location.lastIndexOf('/') + 1);
            Browserless student = new Browserless(classroom.port());
            assertEquals(303, student.join(code, "Ada").statusCode());

            String teacherPage = teacher.get("/lessons/" + FIRST).body();
            assertTrue(teacherPage.contains("For the teacher") && teacherPage.contains("what a probability of 0 would mean"), teacherPage);
            String studentPage = student.get("/lessons/" + FIRST).body();
            assertFalse(studentPage.contains("what a probability of 0 would mean"), studentPage);
            assertTrue(studentPage.contains("id=\"quiz-softmax-sum\""), studentPage);

            assertEquals(200, student.call("POST", "/api/lessons/" + FIRST + "/quizzes/softmax-sum", Map.of("choices", List.of(1))).statusCode());
            JsonNode dashboard = Browserless.json(teacher.get("/api/classes/" + code + "/dashboard"));
            JsonNode ada = dashboard.at("/students/0/lessons/" + FIRST);
            assertEquals(1, ada.get("quizzesPassed").asInt(), dashboard.toString());
            assertEquals(2, ada.get("quizzes").asInt());
            HttpResponse<String> draft = student.call("POST", "/api/drafts?name=Ada.ipynb",
                    "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": [{\"cell_type\": \"code\", \"source\": \"1\", \"metadata\": {}, \"outputs\": [], \"execution_count\": null}]}");
            assertEquals(201, draft.statusCode(), draft.body());
            assertEquals(200, student.get("/drafts/ada").statusCode());
            Browserless grace = new Browserless(classroom.port());
            assertEquals(303, grace.join(code, "Grace").statusCode());
            assertEquals(404, grace.get("/drafts/ada").statusCode(), "a draft is its learner's own");
            assertEquals(401, new Browserless(classroom.port()).login().get("/api/lessons").statusCode(), "sanity: visitors are refused");
            assertEquals(303, new Browserless(classroom.port()).get("/course").statusCode(), "the course map is for the class");
        }
    }

    @Test
    void courseMapSearchAndGlossary() throws Exception {
        Browserless learner = new Browserless(app).login();
        HttpResponse<String> map = learner.get("/course");
        assertEquals(200, map.statusCode());
        assertTrue(map.body().contains("data-from=\"first-steps\" data-to=\"next-steps\""), "a prerequisite arrow: " + map.body());
        // the other tests of this class are the same learner (single-user mode): first-steps may be begun by now
        assertTrue(java.util.regex.Pattern.compile("data-lesson-id=\"first-steps\" data-state=\"(new|started|done)\" data-steps-done=\"[0-3]\" data-steps=\"3\"")
                .matcher(map.body()).find(), map.body());
        assertTrue(learner.get("/").body().contains("href=\"/course\""), "the home page links the course map");

        String found = learner.get("/search?q=Zeppelin").body();
        assertTrue(found.contains("1 place matches") && found.contains("href=\"/lessons/next-steps#next-steps\""), found);
        String inCode = learner.get("/search?q=sum").body();
        assertTrue(inCode.contains("/lessons/first-steps#cell-add"), inCode);
        assertTrue(learner.get("/search?q=" + "x".repeat(5000)).statusCode() == 200);
        assertTrue(learner.get("/search?q=nothingmatchesthis").body().contains("Nothing in the lessons matches"));

        String glossary = learner.get("/glossary").body();
        assertTrue(glossary.contains("id=\"term-logit\"") && glossary.contains("A raw score before softmax."), glossary);
    }

    @Test
    void exportsWithOutputsValidateAndReImportAsADraft(@TempDir Path dir) throws Exception {
        Browserless learner = new Browserless(app).login();
        String kernel = learner.openKernel();
        JsonNode ran = Browserless.json(learner.call("POST", "/api/kernels/" + kernel + "/execute",
                Map.of("code", "int a = 2;\nSystem.out.println(\"a is \" + a);\na * 21", "lesson", FIRST, "cell", "setup")));
        assertEquals("ok", ran.get("status").asText(), ran.toString());

        HttpResponse<String> ipynb = learner.get("/lessons/" + FIRST + "/notebook.ipynb");
        assertEquals(200, ipynb.statusCode());
        assertTrue(ipynb.headers().firstValue("Content-Disposition").orElse("").contains("first-steps.ipynb"));
        Path file = dir.resolve("first-steps.ipynb");
        Files.writeString(file, ipynb.body());
        Nbformat.validate(file);
        assertTrue(ipynb.body().contains("a is 2") && ipynb.body().contains("\"42\""), "the learner's outputs: " + ipynb.body());
        assertFalse(ipynb.body().contains("AssertionError(\"sum should be"), "no check in the export");

        String html = learner.get("/lessons/" + FIRST + "/notebook.html").body();
        assertTrue(html.contains("a is 2") && html.contains("<pre>42</pre>") && !html.contains("what a probability of 0"), html);

        HttpResponse<String> imported = learner.call("POST", "/api/drafts?name=My%20Copy.ipynb", ipynb.body());
        assertEquals(201, imported.statusCode(), imported.body());
        JsonNode draft = Browserless.json(imported);
        assertEquals("my-copy", draft.get("id").asText());
        assertEquals(2, draft.get("cells").asInt());
        String draftPage = learner.get("/drafts/my-copy").body();
        assertTrue(draftPage.contains("System.out.println(&quot;a is &quot; + a);"), draftPage);
        String markdown = learner.get("/drafts/my-copy/lesson.md").body();
        assertTrue(markdown.contains("```java id=setup\nint a = 2;\nSystem.out.println(\"a is \" + a);\na * 21\n```"), markdown);
        assertTrue(learner.get("/course").body().contains("href=\"/drafts/my-copy\""));

        HttpResponse<String> python = learner.call("POST", "/api/drafts?name=p.ipynb",
                "{\"nbformat\": 4, \"metadata\": {\"kernelspec\": {\"language\": \"python\"}}, \"cells\": []}");
        assertEquals(400, python.statusCode());
        assertTrue(python.body().contains("this notebook's language is python"), python.body());
        assertEquals(200, learner.call("DELETE", "/api/drafts/my-copy", null).statusCode());
        assertEquals(404, learner.get("/drafts/my-copy").statusCode());
    }
}
