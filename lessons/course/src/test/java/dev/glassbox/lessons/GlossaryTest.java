package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The glossary file, and {@code [[term]]} references in lessons. */
class GlossaryTest {

    private static final String FRONT = """
            ---
            id: sample
            title: Sample
            summary: A lesson made up for a test.
            order: 7
            ---
            """;

    private static final String GLOSSARY = """
            # Glossary

            ## open weights
            Weights anyone can download, under *some* licence.

            ## KV cache
            Keys and values kept <between> steps.
            """;

    @Test
    void readsEntriesInOrderAndFindsTermsIgnoringCase() throws Exception {
        Glossary glossary = LessonParser.glossary("glossary.md", GLOSSARY);
        assertEquals(List.of("open weights", "KV cache"), glossary.entries().stream().map(Glossary.Entry::term).toList());
        assertEquals("Weights anyone can download, under <em>some</em> licence.", glossary.find("Open  Weights").orElseThrow().html());
        assertEquals("Keys and values kept &lt;between&gt; steps.", glossary.find("kv cache").orElseThrow().html());
        assertTrue(glossary.find("weights").isEmpty());
        assertEquals("term-kv-cache", Glossary.anchor("KV cache"));
    }

    @Test
    void glossaryMistakesNameTheirLine() {
        LessonFormatException twice = assertThrows(LessonFormatException.class,
                () -> LessonParser.glossary("glossary.md", GLOSSARY + "\n## Open weights\nAgain.\n"));
        assertEquals("glossary.md:9: term 'Open weights' is defined twice (first on line 3)", twice.getMessage());
        LessonFormatException empty = assertThrows(LessonFormatException.class,
                () -> LessonParser.glossary("glossary.md", "## logit\n\n## softmax\nProbabilities.\n"));
        assertEquals("glossary.md:1: term 'logit' has no definition: expected a paragraph after its heading", empty.getMessage());
        LessonFormatException stray = assertThrows(LessonFormatException.class,
                () -> LessonParser.glossary("glossary.md", "Some words\n## logit\nA score.\n"));
        assertEquals(1, stray.line());
    }

    @Test
    void referencesBecomeFocusableTermsWithTheirDefinition() throws Exception {
        Glossary glossary = LessonParser.glossary("glossary.md", GLOSSARY);
        Lesson lesson = LessonParser.parse("l.md", FRONT + """
                Models with [[open weights]] and a [[cache|KV cache]]; code `a[[0]]` stays code.
                """, glossary);
        String html = ((Prose) lesson.blocks().getFirst()).html();
        assertAll(
                () -> assertTrue(html.contains("<span class=\"term\" tabindex=\"0\" data-term=\"open weights\" aria-describedby=\"term-def-1\">"
                        + "open weights<span class=\"term-def\" role=\"tooltip\" id=\"term-def-1\"><strong>open weights:</strong> Weights anyone"
                        + " can download, under <em>some</em> licence.</span></span>"), html),
                () -> assertTrue(html.contains("aria-describedby=\"term-def-2\">cache<span"), html),
                () -> assertTrue(html.contains("<code>a[[0]]</code>"), html),
                () -> assertFalse(html.contains("[[open"), html));
    }

    @Test
    void anUnknownTermIsAFormatErrorNamingFileLineAndTerm() throws Exception {
        Glossary glossary = LessonParser.glossary("glossary.md", GLOSSARY);
        LessonFormatException e = assertThrows(LessonFormatException.class, () -> LessonParser.parse("bad.md", FRONT + """
                Fine: [[open weights]].

                Not fine: [[shown|closed weights]].
                """, glossary));
        assertEquals("bad.md:9: unknown glossary term 'closed weights' in '[[shown|closed weights]]': expected a term"
                + " defined as '## closed weights' in glossary.md", e.getMessage());
        LessonFormatException inHint = assertThrows(LessonFormatException.class, () -> LessonParser.parse("bad.md", FRONT + """
                ```java exercise id=e
                int x = 0;
                ```
                ```java check for=e
                assert x == 1;
                ```
                ```hint for=e
                Think about [[logits]].
                ```
                """, glossary));
        assertEquals(14, inHint.line());
        LessonFormatException inQuiz = assertThrows(LessonFormatException.class, () -> LessonParser.parse("bad.md", FRONT + """
                ```quiz id=q
                question: What is a [[logit]]?
                answer: a score
                ```
                """, glossary));
        assertEquals(8, inQuiz.line());
    }
}
