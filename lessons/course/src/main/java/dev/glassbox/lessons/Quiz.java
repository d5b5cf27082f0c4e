package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code ```quiz id=NAME} block: a multiple-choice question (one or more correct choices) or a
 * short-answer question. The key (which choices are right, the expected answer) stays on the server:
 * pages get {@link #question()} and the choices' text, and send the learner's answer to be graded.
 *
 * @param id          unique among the lesson's quizzes
 * @param line        file line of the opening fence
 * @param question    the question as HTML
 * @param choices     the choices of a multiple-choice quiz, in the file's order; empty for short answer
 * @param answer      a short-answer quiz's expected answer; {@code null} for multiple choice
 * @param accept      a short-answer quiz's regular expression for accepted answers (case-insensitive,
 *                    on the trimmed answer), or {@code null} to compare with {@code answer}
 * @param explanation HTML shown after any answer, or {@code null}
 */
public record Quiz(String id, int line, String question, List<Choice> choices, String answer, String accept,
                   String explanation) implements Block {

    /**
     * One choice of a multiple-choice quiz.
     *
     * @param html        the choice as HTML
     * @param correct     whether a right answer includes it
     * @param explanation HTML saying why the choice is right or wrong, or {@code null}
     */
    public record Choice(String html, boolean correct, String explanation) {
        public Choice {
            Objects.requireNonNull(html, "html");
        }
    }

    public Quiz {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        choices = List.copyOf(choices);
        if (choices.isEmpty() == (answer == null)) {
            throw new IllegalArgumentException("quiz '" + id + "' needs either choices or an answer, found "
                    + choices.size() + " choices and " + (answer == null ? "no answer" : "an answer"));
        }
        if (!choices.isEmpty() && choices.stream().noneMatch(Choice::correct)) {
            throw new IllegalArgumentException("quiz '" + id + "' has no correct choice");
        }
    }

    public boolean multipleChoice() {
        return !choices.isEmpty();
    }

    /** Whether more than one choice is correct, so the page offers check boxes instead of radio buttons. */
    public boolean severalCorrect() {
        return choices.stream().filter(Choice::correct).count() > 1;
    }

    /** Indexes of the correct choices, in order. */
    public List<Integer> correctChoices() {
        List<Integer> correct = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            if (choices.get(i).correct()) correct.add(i);
        }
        return correct;
    }

    /**
     * Grades a multiple-choice answer: right when the learner chose exactly the correct choices.
     *
     * @param chosen indexes into {@link #choices()}
     */
    public boolean grade(Set<Integer> chosen) {
        if (!multipleChoice()) {
            throw new IllegalArgumentException("quiz '" + id + "' is short answer: expected a text answer, found choices");
        }
        for (int index : chosen) {
            if (index < 0 || index >= choices.size()) {
                throw new IllegalArgumentException("quiz '" + id + "' has choices 0 to " + (choices.size() - 1)
                        + ", found choice " + index);
            }
        }
        return chosen.equals(Set.copyOf(correctChoices()));
    }

    /** Grades a short answer: against {@link #accept()} when given, else equal to the answer ignoring case and spaces. */
    public boolean grade(String text) {
        if (multipleChoice()) {
            throw new IllegalArgumentException("quiz '" + id + "' is multiple choice: expected choices, found a text answer");
        }
        String given = text.strip();
        if (accept != null) {
            return Pattern.compile(accept, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(given).matches();
        }
        return normalized(given).equals(normalized(answer));
    }

    private static String normalized(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
