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
 */
public record Lesson(String id, String title, String summary, int order, List<String> models, String file,
        List<Block> blocks) {
    public Lesson {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(file, "file");
        models = List.copyOf(models);
        blocks = List.copyOf(blocks);
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
