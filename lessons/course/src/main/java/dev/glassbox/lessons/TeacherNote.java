package dev.glassbox.lessons;

import java.util.Objects;

/**
 * A {@code ```teacher} block: timing, discussion prompts or common mistakes for whoever teaches the
 * lesson. Pages show it only to a signed-in teacher; exports for learners leave it out.
 *
 * @param html the note's Markdown rendered with raw HTML escaped
 * @param line file line of the opening fence
 */
public record TeacherNote(String html, int line) implements Block {
    public TeacherNote {
        Objects.requireNonNull(html, "html");
    }
}
