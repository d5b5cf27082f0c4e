package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LessonSearchTest {

    private static Lesson lesson(String id, String body) throws LessonFormatException {
        return LessonParser.parse(id + ".md", """
                ---
                id: %s
                title: Lesson %s
                summary: Made up.
                order: 1
                ---
                """.formatted(id, id) + body);
    }

    @Test
    void findsProseUnderItsHeadingCellsAndQuizzes() throws Exception {
        LessonSearch search = new LessonSearch(List.of(
                lesson("a", """
                        Intro about tokens.

                        ## The KV cache

                        Keys and values are kept &amp; reused between steps.

                        ```java id=cache
                        var cache = new KvCache(4);
                        ```

                        ```quiz id=q
                        question: What grows with the context length?
                        - [x] the cache
                        - [ ] the weights
                        ```
                        """),
                lesson("b", "Nothing about that here.\n")));

        List<LessonSearch.Hit> hits = search.search("kept reused", 10);
        assertEquals(1, hits.size());
        LessonSearch.Hit hit = hits.getFirst();
        assertEquals("a", hit.lessonId());
        assertEquals("the-kv-cache", hit.anchor());
        assertEquals("The KV cache", hit.section());
        assertEquals("kept", hit.match());
        assertTrue(hit.after().startsWith(" & reused"), hit.after());

        assertEquals("cell-cache", search.search("KvCache", 10).getFirst().anchor());
        assertEquals("quiz-q", search.search("context length", 10).getFirst().anchor());
        assertEquals(List.of(), search.search("tokens weights", 10), "every word must be in one section");
        assertEquals(List.of(), search.search("  ,, ", 10));
        assertEquals(null, search.search("intro", 10).getFirst().anchor());
    }
}
