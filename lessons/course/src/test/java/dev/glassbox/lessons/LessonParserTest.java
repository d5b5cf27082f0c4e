package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LessonParserTest {

    /** Six lines, so Markdown line k of a test body is file line 6 + k. */
    private static final String FRONT = """
            ---
            id: sample
            title: Sample
            summary: A lesson made up for a test.
            order: 7
            ---
            """;

    private static Lesson parse(String body) throws LessonFormatException {
        return LessonParser.parse("sample.md", FRONT + body);
    }

    /** Parses a lesson that must be rejected and checks where and why. */
    private static void assertProblem(String text, int line, String words) {
        LessonFormatException e = assertThrows(LessonFormatException.class, () -> LessonParser.parse("bad.md", text));
        assertAll(
                () -> assertEquals(line, e.line(), () -> "line of: " + e.getMessage()),
                () -> assertTrue(e.problem().contains(words), () -> "'" + words + "' missing from: " + e.problem()),
                () -> assertEquals("bad.md:" + line + ": " + e.problem(), e.getMessage()),
                () -> assertEquals("bad.md", e.file()));
    }

    @Test
    void frontMatterFillsTheLessonFields() throws Exception {
        Lesson lesson = LessonParser.parse("x.md", """
                ---
                id: attention-by-hand
                title: "Attention: by hand"
                summary: Scores, softmax, a weighted sum.
                order: 3
                models: [tiny-llama, tiny-gpt2]
                ---
                Some prose.
                """);
        assertEquals("attention-by-hand", lesson.id());
        assertEquals("Attention: by hand", lesson.title());
        assertEquals("Scores, softmax, a weighted sum.", lesson.summary());
        assertEquals(3, lesson.order());
        assertEquals(List.of("tiny-llama", "tiny-gpt2"), lesson.models());
        assertEquals("x.md", lesson.file());
        assertEquals(List.of(new Prose("<p>Some prose.</p>\n", "Some prose.")), lesson.blocks());
    }

    @Test
    void modelsDefaultToNone() throws Exception {
        assertEquals(List.of(), parse("Text.\n").models());
        assertEquals(List.of(), LessonParser.parse("m.md", FRONT.replace("order: 7", "order: 7\nmodels:") + "x\n").models());
    }

    @Test
    void cellsSplitTheProseAndKeepTheirFileLines() throws Exception {
        Lesson lesson = parse("""
                # Title

                ```java id=first
                int x = 1;
                ```
                Between.
                ```java
                x + 1
                ```
                """);
        assertEquals(4, lesson.blocks().size());
        assertEquals(new Prose("<h1 id=\"title\">Title</h1>\n", "# Title"), lesson.blocks().get(0));
        assertEquals(new Cell("first", "int x = 1;", 9, false, null, 0, null, 0), lesson.blocks().get(1));
        assertEquals(new Prose("<p>Between.</p>\n", "Between."), lesson.blocks().get(2));
        assertEquals(new Cell("cell-2", "x + 1", 13, false, null, 0, null, 0), lesson.blocks().get(3));
    }

    @Test
    void anExerciseCarriesItsCheckWhichIsNotShown() throws Exception {
        Lesson lesson = parse("""
                Try it.
                ```java exercise id=twice
                static int twice(int x) { return 0; }
                ```
                ```java check for=twice
                assertEquals(4, twice(2));
                ```
                Done.
                """);
        Cell exercise = lesson.cell("twice").orElseThrow();
        assertTrue(exercise.exercise());
        assertEquals("static int twice(int x) { return 0; }", exercise.code());
        assertEquals(8, exercise.line());
        assertEquals("assertEquals(4, twice(2));", exercise.check());
        assertEquals(11, exercise.checkLine());
        assertEquals(List.of(exercise), lesson.cells());
        // The prose around the hidden check stays one block, and the check appears nowhere else.
        assertEquals(List.of(new Prose("<p>Try it.</p>\n", "Try it."), exercise, new Prose("<p>Done.</p>\n", "Done.")), lesson.blocks());
    }

    @Test
    void anExerciseCarriesItsSolutionWhichIsNotShown() throws Exception {
        Lesson lesson = parse("""
                Try it.
                ```java solution for=twice
                static int twice(int x) { return 2 * x; }
                ```
                ```java exercise id=twice
                static int twice(int x) { return 0; }
                ```
                ```java check for=twice
                assertEquals(4, twice(2));
                ```
                Done.
                ```java exercise id=thrice
                static int thrice(int x) { return 0; }
                ```
                ```java check for=thrice
                assertEquals(6, thrice(2));
                ```
                """);
        Cell twice = lesson.cell("twice").orElseThrow();
        assertEquals("static int twice(int x) { return 2 * x; }", twice.solution(), "a solution may come before its exercise");
        assertEquals(8, twice.solutionLine());
        assertEquals(11, twice.line());
        Cell thrice = lesson.cell("thrice").orElseThrow();
        assertNull(thrice.solution(), "a solution is optional");
        assertEquals(0, thrice.solutionLine());
        assertEquals(List.of(new Prose("<p>Try it.</p>\n", "Try it."), twice, new Prose("<p>Done.</p>\n", "Done."), thrice), lesson.blocks());
    }

    @Test
    void solutionForUnknownCell() {
        assertProblem(FRONT + "```java exercise id=sum\nint s;\n```\n```java check for=sum\nassertTrue(true);\n```\n"
                + "```java solution for=summ\nint s = 1;\n```\n", 13,
                "solution for unknown cell 'summ': expected the id of an exercise in this lesson (sum)");
    }

    @Test
    void solutionForACellThatIsNotAnExercise() {
        assertProblem(FRONT + "```java id=plain\nint x = 1;\n```\n\n```java solution for=plain\nint x = 2;\n```\n",
                11, "solution for cell 'plain' (line 7), which is not an exercise");
    }

    @Test
    void twoSolutionsForOneExercise() {
        assertProblem(FRONT + "```java exercise id=a\nint a;\n```\n```java check for=a\nassertTrue(true);\n```\n"
                + "```java solution for=a\nint a = 1;\n```\n```java solution for=a\nint a = 2;\n```\n", 16,
                "second solution for exercise 'a' (the first is on line 13): an exercise has at most one solution");
    }

    @Test
    void malformedSolutionFences() {
        assertProblem(FRONT + "```java solution\nint a;\n```\n", 7, "a solution must name the exercise it belongs to");
        assertProblem(FRONT + "```java check solution for=a\nint a;\n```\n", 7, "a block is a check or a solution, not both");
        assertProblem(FRONT + "```java solution for=a id=b\nint a;\n```\n", 7, "a solution is hidden and is not a cell");
        assertProblem(FRONT + "```java for=a\nint a;\n```\n", 7, "'for=a' only belongs on a check or a solution");
        assertProblem(FRONT + "```java exercise id=a\nint a;\n```\n```java check for=a\nassertTrue(true);\n```\n"
                + "```java solution for=a\n\n```\n", 13, "solution for 'a' is empty");
    }

    @Test
    void otherFenceLanguagesAreProse() throws Exception {
        Lesson lesson = parse("""
                ```text
                not a cell
                ```
                ```javascript
                let x = 1;
                ```
                """);
        assertEquals(List.of(), lesson.cells());
        String html = ((Prose) lesson.blocks().getFirst()).html();
        assertTrue(html.contains("<pre tabindex=\"0\"><code class=\"language-text\">not a cell\n</code></pre>"), html);
        assertTrue(html.contains("class=\"language-javascript\""), html);
    }

    @Test
    void rawHtmlIsEscapedAndTablesRender() throws Exception {
        String html = ((Prose) parse("""
                <script>alert(1)</script>

                A <b>bold</b> [link](javascript:alert(1)).

                | lanes | bits |
                |-------|------|
                | 8     | 256  |
                """).blocks().getFirst()).html();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<b>"), html);
        assertFalse(html.contains("javascript:"), html);
        assertTrue(html.contains("&lt;script&gt;"), html);
        assertTrue(html.contains("<table>"), html);
        assertTrue(html.contains("<td>256</td>"), html);
    }

    @Test
    void windowsLineEndingsKeepLineNumbers() throws Exception {
        String text = (FRONT + "Text.\n\n```java id=a\n1 + 1\n```\n").replace("\n", "\r\n");
        assertEquals(new Cell("a", "1 + 1", 9, false, null, 0, null, 0), LessonParser.parse("w.md", text).cells().getFirst());
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        assertEquals("sample", LessonParser.parse("b.md", "\uFEFF" + FRONT + "Text.\n").id());
    }

    @Test
    void codeLosesOnlyTrailingBlankLines() throws Exception {
        Cell cell = parse("```java\n\n    int x = 1;\n\n\n```\n").cells().getFirst();
        assertEquals("\n    int x = 1;", cell.code());
    }

    // One test per format rule: each asserts the line the author has to look at.

    @Test
    void missingFrontMatter() {
        assertProblem("# Vectors\n\nText.\n", 1, "missing front matter");
    }

    @Test
    void unterminatedFrontMatter() {
        assertProblem("---\nid: sample\ntitle: Sample\n\n# Text\n", 1, "front matter is never closed");
    }

    @Test
    void invalidYaml() {
        assertProblem("---\nid: sample\ntitle: [unclosed\nsummary: s\norder: 1\n---\nText.\n", 4,
                "front matter is not valid YAML: expected ',' or ']', but got : (while parsing a flow sequence on line 3)");
        assertProblem("---\nid: sample\n\ttitle: Sample\n---\nText.\n", 3, "front matter is not valid YAML");
    }

    @Test
    void frontMatterThatIsNotAMapping() {
        assertProblem("---\n- id\n- title\n---\nText.\n", 2, "front matter must be 'field: value' lines");
    }

    @Test
    void missingRequiredFieldIsNamed() {
        String text = "---\nid: sample\ntitle: Sample\nsummary: s\norder: 1\n---\nText.\n";
        for (String field : List.of("id", "title", "summary", "order")) {
            String without = text.replaceFirst("(?m)^" + field + ":.*\n", "");
            assertProblem(without, 5, "front matter has no '" + field + "' field");
        }
    }

    @Test
    void malformedLessonId() {
        assertProblem(FRONT.replace("id: sample", "id: Vector Lesson") + "Text.\n", 2,
                "front matter field 'id' must be lowercase letters");
    }

    @Test
    void orderMustBeAWholeNumber() {
        assertProblem(FRONT.replace("order: 7", "order: first") + "Text.\n", 5,
                "front matter field 'order' must be a whole number, like 'order: 3'; found \"first\"");
        assertProblem(FRONT.replace("order: 7", "order: 1.5") + "Text.\n", 5, "found 1.5");
        assertProblem(FRONT.replace("order: 7", "order:") + "Text.\n", 5, "found null");
    }

    @Test
    void titleMustBeText() {
        assertProblem(FRONT.replace("title: Sample", "title:") + "Text.\n", 3,
                "front matter field 'title' must be non-empty text");
    }

    @Test
    void modelsMustBeAListOfNames() {
        assertProblem(FRONT.replace("order: 7", "order: 7\nmodels: tiny-llama") + "Text.\n", 6,
                "front matter field 'models' must be a list of model names");
    }

    @Test
    void unknownFrontMatterField() {
        assertProblem(FRONT.replace("order: 7", "order: 7\nmodel: [tiny-llama]") + "Text.\n", 6,
                "unknown front matter field 'model'");
    }

    @Test
    void repeatedFrontMatterField() {
        assertProblem(FRONT.replace("order: 7", "order: 7\ntitle: Again") + "Text.\n", 6,
                "front matter field 'title' appears twice (first on line 3)");
    }

    @Test
    void duplicateCellId() {
        assertProblem(FRONT + "```java id=a\n1\n```\n\n```java id=a\n2\n```\n", 11,
                "duplicate cell id 'a': the cell on line 7 already has it");
    }

    @Test
    void explicitIdClashingWithANumberedCell() {
        assertProblem(FRONT + "```java id=cell-2\n1\n```\n```java\n2\n```\n", 10, "duplicate cell id 'cell-2'");
    }

    @Test
    void malformedCellId() {
        assertProblem(FRONT + "Text.\n\n```java id=Dot_Product\n1\n```\n", 9, "malformed cell id 'Dot_Product'");
    }

    @Test
    void unknownFenceAttribute() {
        assertProblem(FRONT + "```java id=a hidden\n1\n```\n", 7,
                "unknown attribute 'hidden' on a ```java fence: expected id=NAME, exercise, check for=NAME or solution for=NAME");
    }

    @Test
    void checkWithoutFor() {
        assertProblem(FRONT + "```java check\nassertTrue(true);\n```\n", 7, "a check must name the exercise it belongs to");
    }

    @Test
    void checkForUnknownCell() {
        assertProblem(FRONT + """
                ```java exercise id=sum
                static int sum() { return 0; }
                ```
                ```java check for=sum
                assertEquals(1, sum());
                ```
                ```java check for=summ
                assertEquals(1, sum());
                ```
                """, 13, "check for unknown cell 'summ': expected the id of an exercise in this lesson (sum)");
    }

    @Test
    void checkForACellThatIsNotAnExercise() {
        assertProblem(FRONT + "```java id=plain\nint x = 1;\n```\n\n```java check for=plain\nassertEquals(1, x);\n```\n",
                11, "check for cell 'plain' (line 7), which is not an exercise");
    }

    @Test
    void twoChecksForOneExercise() {
        assertProblem(FRONT + """
                ```java exercise id=sum
                static int sum() { return 0; }
                ```
                ```java check for=sum
                assertEquals(1, sum());
                ```
                ```java check for=sum
                assertEquals(2, sum());
                ```
                """, 13, "second check for exercise 'sum' (the first is on line 10)");
    }

    @Test
    void exerciseWithoutCheck() {
        assertProblem(FRONT + "Intro.\n\n```java exercise id=sum\nstatic int sum() { return 0; }\n```\n", 9,
                "exercise 'sum' has no check: expected a '```java check for=sum' block");
    }

    @Test
    void unclosedJavaFence() {
        assertProblem(FRONT + "Intro.\n\n```java id=a\nint x = 1;\n\nMore prose that became code.\n", 9,
                "fence '```java id=a' is never closed: expected a closing '```' line");
    }

    @Test
    void unclosedFenceOfAnotherLanguage() {
        assertProblem(FRONT + "~~~~text\nsome output\n```\n", 7, "fence '~~~~text' is never closed");
    }

    @Test
    void javaCellInsideAList() {
        assertProblem(FRONT + "1. Step one:\n\n   ```java\n   int x = 1;\n   ```\n", 9, "```java cell inside a list or quote");
    }

    @Test
    void emptyLesson() {
        assertProblem(FRONT + "\n\n", 6, "lesson has no content after the front matter");
    }

    @Test
    void emptyCheck() {
        assertProblem(FRONT + "```java exercise id=a\nint a;\n```\n```java check for=a\n\n```\n", 10,
                "check for 'a' is empty");
    }

    @Test
    void shippedLessonHasItsCellsAndExercise() throws Exception {
        String file = "050-vectors-in-the-notebook.md";
        String text;
        try (var in = getClass().getClassLoader().getResourceAsStream("lessons/" + file)) {
            assertTrue(in != null, "lessons/" + file + " is not on the class path");
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String glossary;
        try (var in = getClass().getClassLoader().getResourceAsStream("lessons/glossary.md")) {
            glossary = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Lesson lesson = LessonParser.parse(file, text, LessonParser.glossary("glossary.md", glossary));   // its prose marks glossary terms
        assertEquals("vectors-in-the-notebook", lesson.id());
        assertEquals("Vectors in the notebook", lesson.title());
        assertEquals(50, lesson.order());
        assertEquals(List.of("tiny-stories"), lesson.models());
        assertEquals(List.of("the-model", "the-model-writes", "dot-scalar", "species", "all-species", "dot-vector", "stopwatch", "race", "similarity",
                "sum-of-squares"), lesson.cells().stream().map(Cell::id).toList());
        assertEquals(List.of("sum-of-squares"),
                lesson.cells().stream().filter(Cell::exercise).map(Cell::id).toList());

        List<String> lines = text.lines().toList();
        for (Cell cell : lesson.cells()) {
            assertTrue(lines.get(cell.line() - 1).startsWith("```java"), "line " + cell.line() + " opens " + cell.id());
            assertEquals(lines.get(cell.line()), cell.code().lines().findFirst().orElseThrow(), cell.id());
            assertFalse(cell.code().endsWith("\n"), cell.id());
        }
        Cell exercise = lesson.cell("sum-of-squares").orElseThrow();
        assertEquals("```java check for=sum-of-squares", lines.get(exercise.checkLine() - 1));
        assertTrue(exercise.code().contains("return 0f;"), exercise.code());
        String checkOnly = "float got = sumOfSquares(x);";
        assertTrue(exercise.check().contains(checkOnly), exercise.check());
        // The check's code is hidden from the page.
        for (Block block : lesson.blocks()) {
            if (block instanceof Prose prose) {
                assertFalse(prose.html().contains(checkOnly), prose.html());
            }
        }
        assertInstanceOf(Prose.class, lesson.blocks().getFirst());
        assertNull(lesson.cell("dot-scalar").orElseThrow().check());
        assertEquals("```java solution for=sum-of-squares", lines.get(exercise.solutionLine() - 1));
        String solutionOnly = exercise.solution().lines().filter(l -> l.contains("fma") || l.contains("mul")).findFirst().orElseThrow();
        for (Block block : lesson.blocks()) {
            if (block instanceof Prose prose) assertFalse(prose.html().contains(solutionOnly), "the solution is hidden: " + prose.html());
        }
    }

    @Test
    void courseFieldsOfTheFrontMatter() throws Exception {
        Lesson lesson = LessonParser.parse("c.md", FRONT.replace("order: 7", """
                order: 7
                objectives: [Tell open weights from fully open, Read a model card]
                minutes: 25
                requires: [how-open-is-this-model, licences]""") + "Text.\n");
        assertEquals(List.of("Tell open weights from fully open", "Read a model card"), lesson.objectives());
        assertEquals(25, lesson.minutes());
        assertEquals(List.of("how-open-is-this-model", "licences"), lesson.requires());
        Lesson plain = parse("Text.\n");
        assertEquals(List.of(), plain.objectives());
        assertEquals(0, plain.minutes());
        assertEquals(List.of(), plain.requires());
    }

    @Test
    void courseFieldMistakesNameTheirLine() {
        assertProblem(FRONT.replace("order: 7", "order: 7\nminutes: soon") + "x\n", 6, "'minutes' must be a whole number of minutes from 1 to 600");
        assertProblem(FRONT.replace("order: 7", "order: 7\nminutes: 0") + "x\n", 6, "from 1 to 600");
        assertProblem(FRONT.replace("order: 7", "order: 7\nobjectives: Learn things") + "x\n", 6, "'objectives' must be a list of objectives");
        assertProblem(FRONT.replace("order: 7", "order: 7\nrequires: [Licences]") + "x\n", 6, "lists 'Licences', which is not a lesson id");
        assertProblem(FRONT.replace("order: 7", "order: 7\nrequires: [sample]") + "x\n", 6, "lesson 'sample' requires itself");
    }

    @Test
    void hintsBelongToTheirExerciseInOrder() throws Exception {
        Lesson lesson = parse("""
                ```java exercise id=sum
                int s = 0;
                ```
                ```hint for=sum
                Start with *one* loop.
                ```
                ```java check for=sum
                assert s == 3;
                ```
                ```hint for=sum
                Add each number.
                ```
                """);
        assertEquals(List.of("<p>Start with <em>one</em> loop.</p>\n", "<p>Add each number.</p>\n"), lesson.cells().getFirst().hints());
        assertEquals(1, lesson.blocks().size(), "hints are not blocks of the page");
    }

    @Test
    void hintMistakesNameTheirLine() {
        String exercise = "```java exercise id=sum\nint s;\n```\n```java check for=sum\nassert s == 3;\n```\n";
        assertProblem(FRONT + exercise + "```hint\nx\n```\n", 13, "a hint must name its exercise");
        assertProblem(FRONT + exercise + "```hint for=sum\n\n```\n", 13, "hint for 'sum' is empty");
        assertProblem(FRONT + exercise + "```hint for=product\nx\n```\n", 13, "hint for unknown cell 'product'");
        assertProblem(FRONT + exercise + "```java id=plain\n1\n```\n```hint for=plain\nx\n```\n", 16,
                "hint for cell 'plain' (line 13), which is not an exercise");
        assertProblem(FRONT + exercise + "```hint id=sum\nx\n```\n", 13, "unknown attribute 'id=sum' on a ```hint fence");
    }

    @Test
    void teacherNotesAreTheirOwnBlocks() throws Exception {
        Lesson lesson = parse("""
                Intro.

                ```teacher
                Ask the class *why* first.
                ```
                More.
                """);
        assertEquals(3, lesson.blocks().size());
        assertEquals(new TeacherNote("<p>Ask the class <em>why</em> first.</p>\n", 9), lesson.blocks().get(1));
        assertProblem(FRONT + "```teacher\n\n```\n", 7, "teacher note is empty");
        assertProblem(FRONT + "```teacher for=x\nNote.\n```\n", 7, "unknown attribute 'for=x' on a ```teacher fence: expected none");
    }

    @Test
    void headingsGetUniqueAnchorsAndProseKeepsItsMarkdown() throws Exception {
        Lesson lesson = parse("""
                ## The `KV` cache!

                Text *here*.

                ## The KV cache
                """);
        Prose prose = (Prose) lesson.blocks().getFirst();
        assertTrue(prose.html().contains("<h2 id=\"the-kv-cache\">"), prose.html());
        assertTrue(prose.html().contains("<h2 id=\"the-kv-cache-2\">"), prose.html());
        assertEquals("## The `KV` cache!\n\nText *here*.\n\n## The KV cache", prose.markdown());
    }
}
