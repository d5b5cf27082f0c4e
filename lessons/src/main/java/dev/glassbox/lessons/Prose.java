package dev.glassbox.lessons;

import java.util.Objects;

/**
 * Markdown between cells, already rendered to HTML. Raw HTML in the source was escaped when
 * rendering, so the string is safe to insert into a page as it is.
 */
public record Prose(String html) implements Block {
    public Prose {
        Objects.requireNonNull(html, "html");
    }
}
