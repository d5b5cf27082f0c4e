package dev.glassbox.web.store;

import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.web.store.Store.CellState;

import java.util.Map;

/** A lesson's size and the learner's progress in it: exercises passed and quizzes answered right. */
public record Progress(int cells, int exercises, int exercisesPassed, int cellsEdited, int quizzes, int quizzesPassed) {

    /** The progress of {@code learnerId} (null: nobody, so none) in {@code lesson}, from what {@code store} keeps. */
    public static Progress of(Store store, Lesson lesson, String learnerId) {
        Map<String, CellState> state = learnerId == null ? Map.of() : store.lessonState(learnerId, lesson.id());
        int exercises = 0;
        int passed = 0;
        int edited = 0;
        for (Cell cell : lesson.cells()) {
            CellState s = state.get(cell.id());
            if (cell.exercise()) exercises++;
            if (s == null) continue;
            if (cell.exercise() && Boolean.TRUE.equals(s.exercisePassed())) passed++;
            if (s.code() != null) edited++;
        }
        int quizzesPassed = learnerId == null ? 0 : (int) store.quizAnswers(learnerId, lesson.id()).values().stream()
                .filter(answer -> answer.correct() && lesson.quiz(answer.quizId()).isPresent()).count();
        return new Progress(lesson.cells().size(), exercises, passed, edited, lesson.quizzes().size(), quizzesPassed);
    }

    /** Checked steps (exercises and quizzes) in the lesson. */
    public int steps() {
        return exercises + quizzes;
    }

    public int stepsDone() {
        return exercisesPassed + quizzesPassed;
    }
}
