package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Quiz blocks: what they parse to, how they grade, and every format mistake with its line. */
class QuizTest {

    /** Six lines, so Markdown line k of a test body is file line 6 + k. */
    private static final String FRONT = """
            ---
            id: sample
            title: Sample
            summary: A lesson made up for a test.
            order: 7
            ---
            """;

    private static Quiz quiz(String body) throws LessonFormatException {
        return LessonParser.parse("q.md", FRONT + body).quizzes().getFirst();
    }

    private static void assertProblem(String body, int line, String words) {
        LessonFormatException e = assertThrows(LessonFormatException.class, () -> LessonParser.parse("bad.md", FRONT + body));
        assertAll(
                () -> assertEquals(line, e.line(), () -> "line of: " + e.getMessage()),
                () -> assertTrue(e.problem().contains(words), () -> "'" + words + "' missing from: " + e.problem()),
                () -> assertEquals("bad.md", e.file()));
    }

    @Test
    void multipleChoiceKeepsChoicesExplanationsAndKey() throws Exception {
        Lesson lesson = LessonParser.parse("q.md", FRONT + """
                Before.

                ```quiz id=fully-open
                question: Which makes a model *fully* open?
                - [ ] An Apache-2.0 licence :: A licence on the weights alone leaves the data closed.
                - [x] The training data is published :: Right: fully open adds the data.
                - [ ] A paper
                ```
                After.
                """);
        assertEquals(3, lesson.blocks().size());
        Quiz quiz = lesson.quiz("fully-open").orElseThrow();
        assertAll(
                () -> assertEquals(9, quiz.line()),
                () -> assertEquals("Which makes a model <em>fully</em> open?", quiz.question()),
                () -> assertEquals(List.of("An Apache-2.0 licence", "The training data is published", "A paper"),
                        quiz.choices().stream().map(Quiz.Choice::html).toList()),
                () -> assertEquals("Right: fully open adds the data.", quiz.choices().get(1).explanation()),
                () -> assertNull(quiz.choices().get(2).explanation()),
                () -> assertEquals(List.of(1), quiz.correctChoices()),
                () -> assertFalse(quiz.severalCorrect()),
                () -> assertTrue(quiz.grade(Set.of(1))),
                () -> assertFalse(quiz.grade(Set.of(0))),
                () -> assertFalse(quiz.grade(Set.of(0, 1))),
                () -> assertFalse(quiz.grade(Set.of())));
    }

    @Test
    void severalCorrectChoicesMustAllBeChosen() throws Exception {
        Quiz quiz = quiz("""
                ```quiz id=parts
                question: Which parts can be open?
                - [x] weights
                - [X] training data
                - [ ] the user's password
                ```
                """);
        assertTrue(quiz.severalCorrect());
        assertTrue(quiz.grade(Set.of(0, 1)));
        assertFalse(quiz.grade(Set.of(0)));
        assertFalse(quiz.grade(Set.of(0, 1, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> quiz.grade(Set.of(3)));
        assertTrue(e.getMessage().contains("choices 0 to 2, found choice 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> quiz.grade("weights"));
    }

    @Test
    void shortAnswerComparesIgnoringCaseAndSpacesOrByItsPattern() throws Exception {
        Quiz plain = quiz("""
                ```quiz id=format
                question: Which format runs no code when loaded?
                answer: Safe  Tensors
                explain: A JSON header and raw numbers.
                ```
                """);
        assertTrue(plain.grade("  safe tensors "));
        assertFalse(plain.grade("pickle"));
        assertEquals("A JSON header and raw numbers.", plain.explanation());
        Quiz pattern = quiz("""
                ```quiz id=q8-bytes
                question: How many bytes does one Q8_0 block take?
                answer: 34
                accept: ^34( bytes)?$
                ```
                """);
        assertTrue(pattern.grade("34"));
        assertTrue(pattern.grade(" 34 BYTES"));
        assertFalse(pattern.grade("32"));
        assertFalse(pattern.grade("340"));
        assertThrows(IllegalArgumentException.class, () -> pattern.grade(Set.of(0)));
    }

    @Test
    void formatMistakesNameTheirLine() {
        assertProblem("```quiz\nquestion: q\nanswer: a\n```\n", 7, "a quiz needs an id");
        assertProblem("```quiz id=q\nanswer: a\n```\n", 7, "quiz 'q' has no question");
        assertProblem("```quiz id=q\nquestion: q\n```\n", 7, "neither choices nor an answer");
        assertProblem("```quiz id=q\nquestion: q\n- [x] a\n- [ ] b\nanswer: a\n```\n", 11, "both choices (line 9)");
        assertProblem("```quiz id=q\nquestion: q\n- [ ] a\n- [ ] b\n```\n", 9, "no correct choice");
        assertProblem("```quiz id=q\nquestion: q\n- [x] a\n```\n", 9, "one choice: expected two or more");
        assertProblem("```quiz id=q\nquestion: q\n- [y] a\n- [x] b\n```\n", 9, "expected '- [ ] ' for a wrong choice");
        assertProblem("```quiz id=q\nquestion: q\n- [x]\n- [ ] b\n```\n", 9, "empty choice");
        assertProblem("```quiz id=q\nquestion: q\n- [x] a :: \n- [ ] b\n```\n", 9, "empty explanation");
        assertProblem("```quiz id=q\nquestion: q\nanswer: 3\nanswer: 4\n```\n", 10, "second 'answer:' (the first is on line 9)");
        assertProblem("```quiz id=q\nquestion: q\nanswer: 3\naccept: ([0-9]\n```\n", 10, "not a valid Java regular expression");
        assertProblem("```quiz id=q\nquestion: q\nanswer: 3\naccept: ^4$\n```\n", 10, "does not accept its own answer '3'");
        assertProblem("```quiz id=q\nquestion: q\n- [x] a\n- [ ] b\naccept: a\n```\n", 11, "'accept:' belongs to a short-answer quiz");
        assertProblem("```quiz id=q\nquestion: q\nanswer: 3\nhint: think\n```\n", 10, "unexpected line 'hint: think'");
        assertProblem("```quiz id=q\nquestion:\nanswer: 3\n```\n", 8, "'question:' of quiz 'q' is empty");
        assertProblem("```quiz id=q colour=red\nquestion: q\nanswer: 3\n```\n", 7, "unknown attribute 'colour=red' on a ```quiz fence");
        assertProblem("```quiz id=q\nquestion: q\nanswer: 3\n```\n\n```quiz id=q\nquestion: r\nanswer: 4\n```\n", 12,
                "duplicate quiz id 'q': the quiz on line 7");
        assertProblem("- item\n\n  ```quiz id=q\n  question: q\n  answer: 3\n  ```\n", 9, "```quiz block inside a list");
    }
}
