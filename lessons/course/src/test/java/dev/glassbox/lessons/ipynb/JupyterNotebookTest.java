package dev.glassbox.lessons.ipynb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonParser;
import dev.glassbox.lessons.ipynb.JupyterNotebook.SavedCell;
import dev.glassbox.notebook.Display;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JupyterNotebookTest {

    private static final String LESSON = """
            ---
            id: sample
            title: "Sample: vectors"
            summary: A lesson made up for a test.
            order: 7
            ---
            # Vectors

            A [[logit]] is a score; an ```java example``` inline.

            ```java id=make
            float[] v = {1, 2, 3};
            ```

            ```teacher
            SECRET-TEACHER-NOTE
            ```

            ```java exercise id=sum
            float s = 0; // your loop here
            ```
            ```java check for=sum
            assert s == 6 : "SECRET-CHECK";
            ```
            ```java solution for=sum
            float s = 0; for (float x : v) s += x; // SECRET-SOLUTION
            ```
            ```hint for=sum
            SECRET-HINT
            ```

            ```quiz id=q
            question: How long is v?
            - [x] 3 :: SECRET-EXPLANATION
            - [ ] 4
            ```
            """;

    private static Lesson lesson() throws Exception {
        return LessonParser.parse("sample.md", LESSON, LessonParser.glossary("glossary.md", "## logit\nA raw score.\n"));
    }

    private static Map<String, SavedCell> saved() {
        Map<String, SavedCell> saved = new LinkedHashMap<>();
        saved.put("make", new SavedCell("float[] v = {1, 2, 3};\nv.length", 1, List.of(
                new Output.Stream("stdout", "hello\nworld\n"),
                new Output.ExecuteResult(1, Map.of("text/plain", "3")),
                new Output.DisplayData(Map.of(Display.BARS, Map.of("labels", List.of("a"), "values", List.of(1.0)), "text/plain", "a 1.0")),
                new Output.DisplayData(Map.of(Display.TABLE, List.of(List.of("x")))))));
        saved.put("sum", new SavedCell("float s = 6;", 2, List.of(
                new Output.Error("java.lang.AssertionError", "boom", 1, 1, List.of("java.lang.AssertionError: boom", "\tat line 1")))));
        return saved;
    }

    @Test
    void exportValidatesAgainstNbformat4AndKeepsHiddenPartsOut(@TempDir Path dir) throws Exception {
        String json = JupyterNotebook.write(lesson(), saved());
        Path file = dir.resolve("sample.ipynb");
        Files.writeString(file, json);
        validateWithNbformat(file);

        for (String secret : List.of("SECRET-TEACHER-NOTE", "SECRET-CHECK", "SECRET-SOLUTION", "SECRET-HINT", "SECRET-EXPLANATION")) {
            assertFalse(json.contains(secret), secret + " must not be exported");
        }
        JsonNode notebook = new ObjectMapper().readTree(json);
        assertEquals("java", notebook.at("/metadata/kernelspec/language").asText());
        assertEquals("java", notebook.at("/metadata/language_info/name").asText());
        JsonNode cells = notebook.get("cells");
        JsonNode make = cells.get(2);
        assertEquals("code", make.get("cell_type").asText());
        assertEquals("float[] v = {1, 2, 3};\nv.length", make.get("source").get(0).asText() + make.get("source").get(1).asText());
        assertEquals("stream", make.at("/outputs/0/output_type").asText());
        assertEquals("3", make.at("/outputs/1/data/text~1plain/0").asText());
        assertEquals("a 1.0", make.at("/outputs/2/data/text~1plain/0").asText(), "Glassbox types keep their text/plain fallback");
        assertTrue(make.at("/outputs/2/data").has(Display.BARS));
        assertTrue(make.at("/outputs/3/data/text~1plain/0").asText().contains(Display.TABLE), "a fallback is made when missing");
        assertEquals("error", cells.get(3).at("/outputs/0/output_type").asText());
        assertTrue(json.contains("A logit is a score"), "glossary marks read as plain words: " + json);
        assertTrue(json.contains("**Quiz:** How long is v?"));
    }

    @Test
    void reImportGivesTheSameCells() throws Exception {
        String json = JupyterNotebook.write(lesson(), saved());
        JupyterNotebook.Imported imported = JupyterNotebook.read("Sample Vectors.ipynb", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("sample-vectors", imported.id());
        assertEquals("Sample: vectors", imported.title());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("make", "float[] v = {1, 2, 3};\nv.length");
        expected.put("sum", "float s = 6;");
        assertEquals(expected, JupyterNotebook.codeCells(imported.lesson()));
        assertTrue(imported.markdown().contains("A logit is a score; an ```java example``` inline."), imported.markdown());
    }

    @Test
    void importErrorsSayWhatIsWrong() {
        assertEquals("notebook is " + (JupyterNotebook.MAX_BYTES + 1) + " bytes; Glassbox imports notebooks up to " + JupyterNotebook.MAX_BYTES
                        + " bytes (clear large outputs first: they are not imported anyway)",
                problem(new byte[JupyterNotebook.MAX_BYTES + 1]));
        assertTrue(problem("{\"cells\": [".getBytes()).startsWith("notebook is not valid JSON"));
        assertEquals("notebook format 4 expected (\"nbformat\": 4), found 3", problem("{\"nbformat\": 3, \"cells\": []}".getBytes()));
        assertEquals("this notebook's language is python; Glassbox imports notebooks with Java cells",
                problem("{\"nbformat\": 4, \"metadata\": {\"kernelspec\": {\"language\": \"python\"}}, \"cells\": []}".getBytes()));
        assertEquals("notebook has no code cells: expected at least one Java cell",
                problem("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"markdown\", \"source\": \"# Hi\"}]}".getBytes()));
        assertEquals("cell 1 has cell_type \"widget\": expected \"markdown\", \"code\" or \"raw\"",
                problem("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"widget\", \"source\": \"\"}]}".getBytes()));
        assertEquals("cell 1's source must be a string or a list of strings, found 5",
                problem("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": 5}]}".getBytes()));
    }

    @Test
    void aPlainJupyterNotebookImportsWithNumberedCells() throws Exception {
        String json = """
                {"nbformat": 4, "nbformat_minor": 5, "metadata": {"language_info": {"name": "Java"}},
                 "cells": [
                   {"cell_type": "markdown", "source": ["# My notes\\n", "```java\\nnot a cell\\n```\\n", "See [[x]]."]},
                   {"cell_type": "code", "id": "Abc_1", "source": "int x = 1;"},
                   {"cell_type": "code", "source": ["```\\n", "x"]}
                 ]}""";
        JupyterNotebook.Imported imported = JupyterNotebook.read("notes.ipynb", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("My notes", imported.title());
        assertEquals(List.of("cell-1", "cell-2"), imported.lesson().cells().stream().map(c -> c.id()).toList());
        assertEquals("```\nx", imported.lesson().cells().get(1).code());
    }

    /** Every lesson of the course, exported as a learner who has not touched it would: valid, and back to the same cells. */
    @Test
    void everyShippedLessonExportsValidlyAndReImportsToTheSameCells(@TempDir Path dir) throws Exception {
        dev.glassbox.lessons.LessonCatalog catalog = dev.glassbox.lessons.LessonCatalog.fromClasspath();
        List<Path> files = new java.util.ArrayList<>();
        for (Lesson lesson : catalog.lessons()) {
            String json = JupyterNotebook.write(lesson, Map.of());
            Path file = dir.resolve(lesson.id() + ".ipynb");
            Files.writeString(file, json);
            files.add(file);
            JupyterNotebook.Imported back = JupyterNotebook.read(lesson.id() + ".ipynb", json.getBytes(StandardCharsets.UTF_8));
            assertEquals(JupyterNotebook.codeCells(lesson), JupyterNotebook.codeCells(back.lesson()), lesson.id());
            assertEquals(lesson.title(), back.title(), lesson.id());
        }
        validateWithNbformat(files.toArray(Path[]::new));
    }

    private static String problem(byte[] bytes) {
        return assertThrows(JupyterNotebook.FormatException.class, () -> JupyterNotebook.read("x.ipynb", bytes)).getMessage();
    }

    /** Debian's python3-nbformat validates against the nbformat 4 JSON schema it ships (none written here). */
    static void validateWithNbformat(Path... files) throws IOException, InterruptedException {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> command = new java.util.ArrayList<>(List.of(python, "-c",
                "import nbformat,sys\nfor f in sys.argv[1:]: nbformat.validate(nbformat.read(f, as_version=4))\nprint('valid')"));
        for (Path file : files) command.add(file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "nbformat validation timed out");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "nbformat rejects the export (install python3-nbformat if it is missing):\n" + out);
        assertTrue(out.contains("valid"), out);
    }
}
