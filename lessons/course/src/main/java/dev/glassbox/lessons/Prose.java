package dev.glassbox.lessons;

import java.util.Objects;

/**
 * Markdown between cells, already rendered to HTML. Raw HTML in the source was escaped when
 * rendering, so the string is safe to insert into a page as it is.
 *
 * @param html     the rendered prose, glossary terms marked up with their definitions
 * @param markdown the Markdown source it came from, for notebook exports and search
 */
public record Prose(String html, String markdown) implements Block {
    public Prose {
        Objects.requireNonNull(html, "html");
        Objects.requireNonNull(markdown, "markdown");
    }
}
