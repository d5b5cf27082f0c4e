package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LessonCatalogTest {

    private static String lesson(String id, int order) {
        return """
                ---
                id: %s
                title: Lesson %s
                summary: Made up for a test.
                order: %d
                ---
                Text.
                """.formatted(id, id, order);
    }

    @Test
    void keepsGoodLessonsInOrderAndReportsBadFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a-late.md"), lesson("late", 5));
        Files.writeString(dir.resolve("b-early.md"), lesson("early", 1));
        Files.writeString(dir.resolve("c-tied.md"), lesson("also-early", 1));
        Files.writeString(dir.resolve("d-broken.md"), lesson("broken", 2).replace("order: 2", "order: two"));
        Files.writeString(dir.resolve("e-copy.md"), lesson("late", 9));
        String latin = lesson("latin", 3) + "Caf\u00e9\n";
        Files.write(dir.resolve("f-latin1.md"), latin.getBytes(StandardCharsets.ISO_8859_1));
        Files.writeString(dir.resolve("notes.txt"), "not a lesson");
        Files.createDirectory(dir.resolve("drafts.md"));

        LessonCatalog catalog = LessonCatalog.load(dir);

        assertEquals(List.of("also-early", "early", "late"), catalog.lessons().stream().map(Lesson::id).toList());
        assertEquals("a-late.md", catalog.find("late").orElseThrow().file());
        assertTrue(catalog.find("broken").isEmpty());
        assertEquals(List.of(
                        "d-broken.md:5: front matter field 'order' must be a whole number, like 'order: 3'; found \"two\"",
                        "e-copy.md:2: lesson id 'late' is already used by a-late.md: expected every lesson to have its own id",
                        "f-latin1.md:8: file is not valid UTF-8: byte 0xE9 at offset " + latin.indexOf('\u00e9')
                                + "; expected the lesson saved as UTF-8"),
                catalog.problems().stream().map(Exception::getMessage).toList());
    }

    @Test
    void emptyFolderGivesAnEmptyCatalog(@TempDir Path dir) {
        LessonCatalog catalog = LessonCatalog.load(dir);
        assertEquals(List.of(), catalog.lessons());
        assertEquals(List.of(), catalog.problems());
    }

    @Test
    void missingFolderIsRefused(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LessonCatalog.load(missing));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void shippedLessonsNameModelsByTheirCatalogIds() {
        java.util.Set<String> ids = new java.util.HashSet<>(List.of(dev.glassbox.tinymodels.MiniLmL6.ID,
                dev.glassbox.tinymodels.TinyLlamaRandom.ID, dev.glassbox.tinymodels.TinyGpt2Random.ID));
        for (var recipe : dev.glassbox.tinymodels.recipes.Recipe.values()) ids.add(recipe.id());
        for (Lesson lesson : LessonCatalog.fromClasspath().lessons()) {
            for (String model : lesson.models()) {
                assertTrue(ids.contains(model), lesson.file() + " lists '" + model + "', expected a catalog id, one of " + ids);
            }
        }
    }

    @Test
    void shippedLessonsAllParse() {
        LessonCatalog catalog = LessonCatalog.fromClasspath();
        assertEquals(List.of(), catalog.problems());
        assertEquals("what-open-means", catalog.lessons().getFirst().id(), "the course starts with what open means, before SIMD");
        assertTrue(catalog.find("vectors-in-the-notebook").orElseThrow().cell("sum-of-squares").orElseThrow().exercise());
    }

    @Test
    void readsLessonsFromInsideAJar(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("lessons.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("lessons/"));
            out.closeEntry();
            put(out, "lessons/02-second.md", lesson("second", 2));
            put(out, "lessons/01-first.md", lesson("first", 1));
            put(out, "other/03-elsewhere.md", lesson("elsewhere", 3));
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            LessonCatalog catalog = LessonCatalog.fromClassLoader(loader);
            assertEquals(List.of("first", "second"), catalog.lessons().stream().map(Lesson::id).toList());
            assertEquals("01-first.md", catalog.lessons().getFirst().file());
        }
    }

    private static void put(JarOutputStream jar, String name, String text) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        OutputStream out = jar;
        out.write(text.getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
    }

    @Test
    void aLessonRequiringAnUnknownLessonIsLeftOutAndTheGlossaryIsNotALesson(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.md"), lesson("basics", 1));
        Files.writeString(dir.resolve("b.md"), lesson("next", 2).replace("order: 2", "order: 2\nrequires: [basics]"));
        Files.writeString(dir.resolve("c.md"), lesson("lost", 3).replace("order: 3", "order: 3\nrequires: [basics, missing]"));
        Files.writeString(dir.resolve("d.md"), lesson("terms", 4).replace("Text.", "Uses [[logit]] and [[softmax]]."));
        Files.writeString(dir.resolve(Glossary.FILE), "## logit\nA raw score.\n");

        LessonCatalog catalog = LessonCatalog.load(dir);

        assertEquals(List.of("basics", "next"), catalog.lessons().stream().map(Lesson::id).toList());
        assertEquals(List.of("basics"), catalog.find("next").orElseThrow().requires());
        assertEquals(List.of(
                        "c.md:6: front matter field 'requires' names lesson 'missing', which this folder does not have:"
                                + " expected one of [basics, next]",
                        "d.md:7: unknown glossary term 'softmax' in '[[softmax]]': expected a term defined as '## softmax' in glossary.md"),
                catalog.problems().stream().map(Exception::getMessage).toList());
        assertEquals("A raw score.", catalog.glossary().find("logit").orElseThrow().html());
        assertEquals("next", catalog.next(catalog.find("basics").orElseThrow()).orElseThrow().id());
        assertTrue(catalog.next(catalog.find("next").orElseThrow()).isEmpty());
    }

    @Test
    void shippedGlossaryParsesWithTheCourseTerms() {
        LessonCatalog catalog = LessonCatalog.fromClasspath();
        assertEquals(List.of(), catalog.problems());
        for (String term : List.of("open weights", "fully open", "open source AI definition", "licence", "model card", "safetensors",
                "GGUF", "quantization", "Q8_0", "Q4_0", "LoRA", "fine-tuning", "distillation", "tokenizer", "BPE", "embedding",
                "attention head", "induction head", "KV cache", "RoPE", "RMSNorm", "logit", "softmax", "perplexity",
                "mixture of experts", "SIMD", "Vector API", "JShell", "sandbox")) {
            assertTrue(catalog.glossary().find(term).isPresent(), term);
        }
    }
}
