package dev.glassbox.lessons;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every quiz of the shipped lessons (or of {@code -Dlessons.dir=FOLDER}): its key grades right, and no other
 * single choice, nor the key with one wrong choice more, does; a short answer is accepted as its author wrote it.
 */
class QuizKeysTest {

    static Stream<Arguments> quizzes() {
        LessonCatalog catalog = ShippedLessonsRunTest.catalog();
        assertEquals(java.util.List.of(), catalog.problems(), "every lesson parses");
        return catalog.lessons().stream().flatMap(lesson -> lesson.quizzes().stream()
                .map(quiz -> Arguments.of(lesson.id() + "/" + quiz.id(), quiz)));
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)   // a folder may have no quizzes yet
    @MethodSource("quizzes")
    void theKeyAndOnlyTheKeyIsRight(String where, Quiz quiz) {
        if (!quiz.multipleChoice()) {
            assertTrue(quiz.grade(quiz.answer()), quiz.id() + ": its answer '" + quiz.answer() + "'");
            assertTrue(quiz.grade("  " + quiz.answer().toUpperCase(java.util.Locale.ROOT) + " "), quiz.id() + ": case and spaces");
            assertFalse(quiz.grade(quiz.answer() + "x9"), quiz.id() + ": a longer answer");
            return;
        }
        Set<Integer> key = Set.copyOf(quiz.correctChoices());
        assertTrue(quiz.grade(key), quiz.id() + ": its key " + key);
        for (int i = 0; i < quiz.choices().size(); i++) {
            if (!key.equals(Set.of(i))) assertFalse(quiz.grade(Set.of(i)), quiz.id() + ": choice " + i + " alone");
            if (!key.contains(i)) {
                Set<Integer> more = new HashSet<>(key);
                more.add(i);
                assertFalse(quiz.grade(more), quiz.id() + ": the key and choice " + i);
            }
        }
    }
}
