package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The course's glossary: {@code glossary.md} beside the lessons, one {@code ## term} heading per entry
 * followed by a paragraph that defines it. Lessons mark a term in prose as {@code [[term]]} or
 * {@code [[shown text|term]]}; an unknown term is a format error of the lesson.
 */
public final class Glossary {

    /** The glossary's file name in a lesson folder; the catalog does not read it as a lesson. */
    public static final String FILE = "glossary.md";
    /** {@code [[term]]} or {@code [[shown|term]]}; neither part holds brackets or a line break. */
    static final Pattern REFERENCE = Pattern.compile("\\[\\[([^\\[\\]|\\n]+?)(?:\\|([^\\[\\]|\\n]+?))?]]");

    /** A glossary without entries: every reference to a term is unknown. */
    public static final Glossary EMPTY = new Glossary(Map.of());

    /**
     * One entry.
     *
     * @param term       the term as the heading spells it
     * @param definition the definition as Markdown
     * @param html       the definition rendered inline (no paragraph tags), raw HTML escaped
     */
    public record Entry(String term, String definition, String html) {}

    private final Map<String, Entry> entries; // by lower-case term

    private Glossary(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /**
     * Reads a glossary file.
     *
     * @param file   its name, for messages
     * @param text   the whole file
     * @param inline renders one paragraph of Markdown to inline HTML
     */
    static Glossary parse(String file, String text, UnaryOperator<String> inline) throws LessonFormatException {
        List<String> lines = LessonParser.lines(text);
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, Integer> termLines = new LinkedHashMap<>();
        String term = null;
        int termLine = 0;
        List<String> definition = new ArrayList<>();
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : "## ";
            boolean heading = line.startsWith("## ") || line.equals("##");
            if (heading && i < lines.size() && line.substring(2).isBlank()) {
                throw new LessonFormatException(file, i + 1, "empty glossary heading: expected '## term'");
            }
            if (!heading) {
                if (term != null) definition.add(line);
                else if (!line.isBlank() && !line.startsWith("# ")) {
                    throw new LessonFormatException(file, i + 1, "text before the first term: expected '## term'"
                            + " headings, each followed by its definition (a '# Title' line may come first)");
                }
                continue;
            }
            if (term != null) {
                String body = String.join("\n", definition).strip();
                if (body.isEmpty()) {
                    throw new LessonFormatException(file, termLine, "term '" + term + "' has no definition:"
                            + " expected a paragraph after its heading");
                }
                Integer first = termLines.putIfAbsent(key(term), termLine);
                if (first != null) {
                    throw new LessonFormatException(file, termLine, "term '" + term + "' is defined twice (first on line "
                            + first + ")");
                }
                entries.put(key(term), new Entry(term, body, inline.apply(body)));
            }
            if (i < lines.size()) {
                term = line.substring(3).strip();
                termLine = i + 1;
                definition.clear();
            }
        }
        return new Glossary(entries);
    }

    private static String key(String term) {
        return term.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** The entry for a term, ignoring case and runs of spaces. */
    public Optional<Entry> find(String term) {
        return Optional.ofNullable(entries.get(key(term)));
    }

    /** Every entry, in the file's order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** The anchor of a term on the glossary page. */
    public static String anchor(String term) {
        return "term-" + key(term).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /**
     * Checks the references in one line of Markdown source.
     *
     * @param line the line's number in the file, for the message
     */
    void check(String file, int line, String source) throws LessonFormatException {
        Matcher m = REFERENCE.matcher(withoutCodeSpans(source));
        while (m.find()) {
            String term = m.group(2) != null ? m.group(2) : m.group(1);
            if (find(term).isEmpty()) {
                throw new LessonFormatException(file, line, "unknown glossary term '" + term.strip() + "' in '"
                        + m.group() + "': expected a term defined as '## " + term.strip() + "' in " + FILE);
            }
        }
    }

    /** Code spans are code: {@code `a[[0]]`} is not a reference. Blanks them out, keeping positions. */
    private static String withoutCodeSpans(String source) {
        return Pattern.compile("`[^`]*`").matcher(source).replaceAll(r -> " ".repeat(r.group().length()));
    }

    /**
     * Replaces each reference in rendered HTML (outside {@code <code>} and {@code <pre>}) with a
     * focusable term whose definition the page shows on hover and on keyboard focus.
     *
     * @param ids gives each definition its own id within a page
     */
    String link(String html, IdSource ids) {
        StringBuilder out = new StringBuilder();
        Matcher code = Pattern.compile("(?s)<(code|pre)[ >].*?</\\1>").matcher(html);
        int at = 0;
        while (code.find()) {
            out.append(linkText(html.substring(at, code.start()), ids)).append(code.group());
            at = code.end();
        }
        return out.append(linkText(html.substring(at), ids)).toString();
    }

    private String linkText(String html, IdSource ids) {
        return REFERENCE.matcher(html).replaceAll(m -> {
            String shown = m.group(1).strip();
            String term = m.group(2) != null ? m.group(2).strip() : shown;
            Entry entry = find(term).orElse(null);
            if (entry == null) return Matcher.quoteReplacement(m.group()); // checked on the source; an escaped form stays text
            String id = ids.next();
            // The shown text and term were escaped by the Markdown renderer already.
            return Matcher.quoteReplacement("<span class=\"term\" tabindex=\"0\" data-term=\"" + term + "\" aria-describedby=\""
                    + id + "\">" + shown + "<span class=\"term-def\" role=\"tooltip\" id=\"" + id + "\"><strong>"
                    + escape(entry.term()) + ":</strong> " + entry.html() + "</span></span>");
        });
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Hands out {@code term-def-1}, {@code term-def-2}, ... for one page. */
    static final class IdSource {
        private int next;

        String next() {
            return "term-def-" + ++next;
        }
    }
}
