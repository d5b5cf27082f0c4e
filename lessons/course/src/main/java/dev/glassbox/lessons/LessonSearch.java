package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full-text search over a catalog's lessons: their prose (headings included), cells and quizzes, split
 * into sections so that a hit links to the heading, cell or quiz it is in. Every word of the query must
 * appear in a section; sections are ranked by how often the words appear, with title hits first.
 */
public final class LessonSearch {

    /** Queries longer than this are cut: nobody types more to find a lesson. */
    public static final int MAX_QUERY_CHARS = 200;
    private static final int MAX_WORDS = 8;
    private static final int SNIPPET_CHARS = 160;
    private static final Pattern HEADING = Pattern.compile("(?s)<h[1-6] id=\"([^\"]+)\">(.*?)</h[1-6]>");
    private static final Pattern TERM_DEFINITION = Pattern.compile("(?s)<span class=\"term-def\".*?</span></span>");

    /**
     * One searchable part of a lesson.
     *
     * @param anchor the element id on the lesson page ({@code null}: the top of the page)
     * @param title  the heading, or "Cell N" / "Quiz" for code and quizzes
     */
    record Section(Lesson lesson, String anchor, String title, String text) {}

    /**
     * A search hit.
     *
     * @param anchor  the element id on the lesson page, or {@code null} for the top
     * @param before  snippet text before the first match
     * @param match   the matched text, to highlight
     * @param after   snippet text after it
     */
    public record Hit(String lessonId, String lessonTitle, String anchor, String section, String before, String match, String after,
                      int score) {}

    private final List<Section> sections;

    public LessonSearch(List<Lesson> lessons) {
        List<Section> all = new ArrayList<>();
        for (Lesson lesson : lessons) all.addAll(sections(lesson));
        this.sections = List.copyOf(all);
    }

    private static List<Section> sections(Lesson lesson) {
        List<Section> sections = new ArrayList<>();
        String anchor = null;
        String title = lesson.title();
        StringBuilder text = new StringBuilder(lesson.summary()).append('\n');
        int cellNumber = 0;
        for (Block block : lesson.blocks()) {
            switch (block) {
                case Prose prose -> {
                    String html = TERM_DEFINITION.matcher(prose.html()).replaceAll("</span>");
                    Matcher heading = HEADING.matcher(html);
                    int at = 0;
                    while (heading.find()) {
                        text.append(plainText(html.substring(at, heading.start())));
                        sections.add(new Section(lesson, anchor, title, text.toString()));
                        anchor = heading.group(1);
                        title = plainText(heading.group(2)).strip();
                        text = new StringBuilder(title).append('\n');
                        at = heading.end();
                    }
                    text.append(plainText(html.substring(at)));
                }
                case Cell cell -> sections.add(new Section(lesson, "cell-" + cell.id(), title + " · cell " + ++cellNumber, cell.code()));
                case Quiz quiz -> sections.add(new Section(lesson, "quiz-" + quiz.id(), title + " · quiz", plainText(quiz.question()) + "\n"
                        + String.join("\n", quiz.choices().stream().map(c -> plainText(c.html())).toList())));
                case TeacherNote note -> { } // teachers' notes are not searched: results are for learners
            }
        }
        sections.add(new Section(lesson, anchor, title, text.toString()));
        return sections;
    }

    /** Tag-free text of rendered HTML, with the entities the renderer writes turned back into characters. */
    public static String plainText(String html) {
        return html.replaceAll("<[^>]+>", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&").replaceAll("[ \\t]+", " ");
    }

    /** The sections holding every word of {@code query}, best first, at most {@code limit}. */
    public List<Hit> search(String query, int limit) {
        String cut = query.length() > MAX_QUERY_CHARS ? query.substring(0, MAX_QUERY_CHARS) : query;
        List<String> words = Arrays.stream(cut.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}_]+"))
                .filter(w -> !w.isEmpty()).distinct().limit(MAX_WORDS).toList();
        if (words.isEmpty()) return List.of();
        List<Hit> hits = new ArrayList<>();
        for (Section section : sections) {
            String lower = section.text().toLowerCase(Locale.ROOT);
            String title = section.title().toLowerCase(Locale.ROOT);
            int score = 0;
            boolean all = true;
            for (String word : words) {
                int count = count(lower, word);
                if (count == 0 && !title.contains(word)) {
                    all = false;
                    break;
                }
                score += count + (title.contains(word) ? 5 : 0);
            }
            if (all) hits.add(hit(section, words, score));
        }
        hits.sort(Comparator.comparingInt(Hit::score).reversed().thenComparing(Hit::lessonId));
        return hits.subList(0, Math.min(limit, hits.size()));
    }

    private static int count(String text, String word) {
        int count = 0;
        for (int at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length())) count++;
        return count;
    }

    private static Hit hit(Section section, List<String> words, int score) {
        String text = section.text().replaceAll("\\s+", " ").strip();
        String lower = text.toLowerCase(Locale.ROOT);
        int at = -1;
        String found = "";
        for (String word : words) {
            int i = lower.indexOf(word);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                found = word;
            }
        }
        Lesson lesson = section.lesson();
        if (at < 0) {
            return new Hit(lesson.id(), lesson.title(), section.anchor(), section.title(),
                    text.substring(0, Math.min(SNIPPET_CHARS, text.length())), "", "", score);
        }
        int from = Math.max(0, at - SNIPPET_CHARS / 2);
        int to = Math.min(text.length(), at + found.length() + SNIPPET_CHARS / 2);
        return new Hit(lesson.id(), lesson.title(), section.anchor(), section.title(),
                (from > 0 ? "…" : "") + text.substring(from, at), text.substring(at, at + found.length()),
                text.substring(at + found.length(), to) + (to < text.length() ? "…" : ""), score);
    }
}
