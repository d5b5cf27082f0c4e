package dev.glassbox.lessons;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed lesson file: its front matter and its page, as prose and cells in reading order.
 *
 * @param id      stable identifier used in URLs and saved progress
 * @param title   shown as the lesson's name
 * @param summary one line for the lesson list
 * @param order   position in the lesson list (ties are broken by id)
 * @param models  names of the models the lesson uses, possibly none
 * @param file    the file name the lesson came from, for messages
 * @param blocks  the page, top to bottom
 * @param objectives what the learner can do after the lesson, possibly none
 * @param minutes    the time the lesson takes, 0 when the file does not say
 * @param requires   ids of the lessons to take before this one, possibly none
 */
public record Lesson(String id, String title, String summary, int order, List<String> models, String file,
        List<Block> blocks, List<String> objectives, int minutes, List<String> requires) {
    public Lesson {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(file, "file");
        models = List.copyOf(models);
        blocks = List.copyOf(blocks);
        objectives = List.copyOf(objectives);
        requires = List.copyOf(requires);
        if (minutes < 0) {
            throw new IllegalArgumentException("lesson '" + id + "': minutes must be 0 (unknown) or more, found " + minutes);
        }
    }

    /** A lesson without objectives, time estimate or prerequisites. */
    public Lesson(String id, String title, String summary, int order, List<String> models, String file, List<Block> blocks) {
        this(id, title, summary, order, models, file, blocks, List.of(), 0, List.of());
    }

    /** The lesson's quizzes in reading order. */
    public List<Quiz> quizzes() {
        return blocks.stream().filter(Quiz.class::isInstance).map(Quiz.class::cast).toList();
    }

    public Optional<Quiz> quiz(String id) {
        return quizzes().stream().filter(quiz -> quiz.id().equals(id)).findFirst();
    }

    /** The cells of the lesson in reading order, without the prose between them. */
    public List<Cell> cells() {
        return blocks.stream()
                .filter(Cell.class::isInstance)
                .map(Cell.class::cast)
                .toList();
    }

    public Optional<Cell> cell(String id) {
        return cells().stream().filter(cell -> cell.id().equals(id)).findFirst();
    }
}
