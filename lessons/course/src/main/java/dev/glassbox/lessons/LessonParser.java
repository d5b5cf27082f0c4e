package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.SourceSpan;
import org.commonmark.node.Text;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Reads a lesson file: YAML front matter, then Markdown in which every {@code ```java} fence is a
 * notebook cell, {@code ```quiz} a quiz, {@code ```hint} a hint of an exercise and {@code ```teacher}
 * a note for the teacher. Any mistake in the format is reported with the file line it is on.
 */
public final class LessonParser {

    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser MARKDOWN = Parser.builder()
            .extensions(EXTENSIONS)
            .includeSourceSpans(IncludeSourceSpans.BLOCKS)
            .build();
    /** Lessons are trusted, yet escaping keeps raw HTML (and javascript: links) out of every page. */
    private static final HtmlRenderer HTML = HtmlRenderer.builder()
            .extensions(EXTENSIONS)
            .escapeHtml(true)
            .sanitizeUrls(true)
            .build();

    private LessonParser() {}

    /**
     * Parses one lesson.
     *
     * @param file the file's name, used in the lesson and in every message
     * @param text the whole file
     */
    public static Lesson parse(String file, String text) throws LessonFormatException {
        return parse(file, text, Glossary.EMPTY);
    }

    /**
     * Parses one lesson whose {@code [[term]]} references must name terms of {@code glossary}.
     *
     * @param file the file's name, used in the lesson and in every message
     * @param text the whole file
     */
    public static Lesson parse(String file, String text, Glossary glossary) throws LessonFormatException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(glossary, "glossary");
        List<String> lines = lines(text);
        FrontMatter front = FrontMatter.read(file, lines);
        // Markdown line index 0 is the line after the closing ---, i.e. file line endLine + 1.
        List<String> markdown = lines.subList(front.endLine(), lines.size());
        Node document = MARKDOWN.parse(String.join("\n", markdown));
        List<Block> blocks = new Page(file, front.endLine(), markdown, glossary).blocks(document);
        return new Lesson(front.id(), front.title(), front.summary(), front.order(), front.models(), file, blocks,
                front.objectives(), front.minutes(), front.requires());
    }

    /** Reads a glossary file ({@link Glossary#FILE}), its definitions rendered like lesson prose. */
    public static Glossary glossary(String file, String text) throws LessonFormatException {
        return Glossary.parse(file, text, LessonParser::inline);
    }

    /** One paragraph of Markdown as inline HTML, raw HTML escaped. */
    static String inline(String markdown) {
        String html = HTML.render(MARKDOWN.parse(markdown)).strip();
        if (html.startsWith("<p>") && html.endsWith("</p>") && html.indexOf("<p>", 1) < 0) {
            html = html.substring(3, html.length() - 4);
        }
        return html;
    }

    /** The requires line of a lesson's front matter (0 when it has none), for catalog messages. */
    static int requiresLine(String file, String text) throws LessonFormatException {
        return FrontMatter.read(file, lines(text)).requiresLine();
    }

    /** The file's lines, whatever line endings the author's editor used. */
    static List<String> lines(String text) {
        String unix = text.replace("\r\n", "\n").replace('\r', '\n');
        if (unix.startsWith("\uFEFF")) {
            unix = unix.substring(1); // byte order mark, added by some editors
        }
        return List.of(unix.split("\n", -1));
    }

    /** A hidden block of an exercise: its check or its solution. */
    private record Hidden(String exercise, String code, int line) {}

    /** A hint, waiting for its exercise. */
    private record Hint(String exercise, String html, int line) {}

    /** Every exercise's check, and the solutions and hints the lesson gives, by exercise id. */
    private record HiddenBlocks(Map<String, Hidden> checks, Map<String, Hidden> solutions, Map<String, List<Hint>> hints) {}

    /** The state of parsing one lesson's Markdown: where it is in the file, its headings and glossary terms. */
    private static final class Page {
        private final String file;
        private final int offset;
        private final List<String> markdown;
        private final Glossary glossary;
        private final Glossary.IdSource termIds = new Glossary.IdSource();
        private final Set<String> headingIds = new HashSet<>();
        private final HtmlRenderer html;

        Page(String file, int offset, List<String> markdown, Glossary glossary) {
            this.file = file;
            this.offset = offset;
            this.markdown = markdown;
            this.glossary = glossary;
            this.html = HtmlRenderer.builder()
                    .extensions(EXTENSIONS)
                    .escapeHtml(true)
                    .sanitizeUrls(true)
                    .attributeProviderFactory(context -> (node, tag, attributes) -> {
                        if (node instanceof Heading heading) attributes.put("id", headingId(heading));
                        // A block of code in prose can be wider than a phone: a keyboard user must be able to scroll it.
                        if (tag.equals("pre")) attributes.put("tabindex", "0");
                    })
                    .build();
        }

        /** A heading's anchor: its text as a slug, numbered when the lesson already has one like it. */
        private String headingId(Heading heading) {
            StringBuilder text = new StringBuilder();
            collectText(heading, text);
            String slug = text.toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
            if (slug.isEmpty()) slug = "section";
            String id = slug;
            for (int n = 2; !headingIds.add(id); n++) id = slug + "-" + n;
            return id;
        }

        private static void collectText(Node node, StringBuilder text) {
            for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
                if (child instanceof Text t) text.append(t.getLiteral());
                else if (child instanceof Code c) text.append(c.getLiteral());
                else collectText(child, text);
            }
        }

        /** Renders Markdown from a fence's body, checking its glossary terms ({@code line} is the fence's file line). */
        private String render(String source, int line) throws LessonFormatException {
            List<String> sourceLines = lines(source);
            for (int k = 0; k < sourceLines.size(); k++) glossary.check(file, line + 1 + k, sourceLines.get(k));
            return glossary.link(html.render(MARKDOWN.parse(source)), termIds);
        }

        private String inline(String source, int line) throws LessonFormatException {
            glossary.check(file, line, source);
            return glossary.link(LessonParser.inline(source), termIds);
        }

        List<Block> blocks(Node document) throws LessonFormatException {
            // An exercise can only become a Cell once its check, solution and hints are known, and they come after it:
            // so each part of the page waits for the lesson's hidden blocks before it turns into a block.
            List<Function<HiddenBlocks, Block>> parts = new ArrayList<>();
            Map<String, Integer> cellLines = new HashMap<>();
            Map<String, Integer> quizLines = new HashMap<>();
            Map<String, Hidden> checks = new LinkedHashMap<>();
            Map<String, Hidden> solutions = new LinkedHashMap<>();
            Map<String, List<Hint>> hints = new LinkedHashMap<>();
            List<String> exercises = new ArrayList<>();
            StringBuilder prose = new StringBuilder();
            List<String> proseSource = new ArrayList<>();
            int cellNumber = 0;

            for (Node node = document.getFirstChild(); node != null; node = node.getNext()) {
                requireClosedFences(file, offset, node, true);
                String kind = node instanceof FencedCodeBlock f ? FenceInfo.kind(f.getInfo()) : null;
                if (kind == null) {
                    String source = source(node);
                    List<String> sourceLines = lines(source);
                    int first = line(offset, node);
                    for (int k = 0; k < sourceLines.size(); k++) glossary.check(file, first + k, sourceLines.get(k));
                    prose.append(glossary.link(html.render(node), termIds));
                    proseSource.add(source);
                    continue;
                }
                FencedCodeBlock fence = (FencedCodeBlock) node;
                int line = line(offset, fence);
                String body = fence.getLiteral().stripTrailing();
                switch (kind) {
                    case FenceInfo.TEACHER -> {
                        FenceInfo.attributes(file, line, fence.getInfo(), Set.of());
                        if (body.isBlank()) {
                            throw new LessonFormatException(file, line, "teacher note is empty: expected Markdown for the teacher");
                        }
                        flush(prose, proseSource, parts);
                        TeacherNote note = new TeacherNote(render(body, line), line);
                        parts.add(known -> note);
                        continue;
                    }
                    case FenceInfo.HINT -> {
                        String exercise = FenceInfo.attributes(file, line, fence.getInfo(), Set.of("for=")).get("for=");
                        if (exercise == null) {
                            throw new LessonFormatException(file, line, "a hint must name its exercise: expected '```hint for=NAME'");
                        }
                        if (body.isBlank()) {
                            throw new LessonFormatException(file, line, "hint for '" + exercise + "' is empty: expected"
                                    + " Markdown that helps with one step of the exercise");
                        }
                        hints.computeIfAbsent(exercise, e -> new ArrayList<>()).add(new Hint(exercise, render(body, line), line));
                        continue;
                    }
                    case FenceInfo.QUIZ -> {
                        String id = FenceInfo.attributes(file, line, fence.getInfo(), Set.of("id=")).get("id=");
                        if (id == null) {
                            throw new LessonFormatException(file, line, "a quiz needs an id: expected '```quiz id=NAME'");
                        }
                        Integer first = quizLines.putIfAbsent(id, line);
                        if (first != null) {
                            throw new LessonFormatException(file, line, "duplicate quiz id '" + id + "': the quiz on line "
                                    + first + " already has it; expected every quiz of a lesson to have its own id");
                        }
                        flush(prose, proseSource, parts);
                        Quiz quiz = QuizReader.read(file, line, id, body, this::inline);
                        parts.add(known -> quiz);
                        continue;
                    }
                    default -> {
                        assert kind.equals(FenceInfo.JAVA) : kind;
                    }
                }
                FenceInfo info = FenceInfo.parse(file, line, fence.getInfo());
                String code = body;
                if (info.isCheck() || info.isSolution()) {
                    String hiddenKind = info.isCheck() ? "check" : "solution";
                    Hidden hidden = new Hidden(info.isCheck() ? info.checkFor() : info.solutionFor(), code, line);
                    Hidden first = (info.isCheck() ? checks : solutions).putIfAbsent(hidden.exercise(), hidden);
                    if (first != null) {
                        throw new LessonFormatException(file, line, "second " + hiddenKind + " for exercise '" + hidden.exercise()
                                + "' (the first is on line " + first.line() + "): an exercise has "
                                + (info.isCheck() ? "exactly one check" : "at most one solution"));
                    }
                    if (code.isBlank()) {
                        throw new LessonFormatException(file, line, hiddenKind + " for '" + hidden.exercise() + "' is empty: expected "
                                + (info.isCheck() ? "code that fails when the exercise is not solved" : "a cell that solves the exercise"));
                    }
                    continue;
                }
                cellNumber++;
                String id = info.id() != null ? info.id() : "cell-" + cellNumber;
                Integer first = cellLines.putIfAbsent(id, line);
                if (first != null) {
                    throw new LessonFormatException(file, line, "duplicate cell id '" + id + "': the cell on line "
                            + first + " already has it; expected every cell of a lesson to have its own id");
                }
                if (info.exercise()) {
                    exercises.add(id);
                }
                flush(prose, proseSource, parts);
                boolean exercise = info.exercise();
                parts.add(known -> {
                    if (!exercise) return new Cell(id, code, line, false, null, 0, null, 0);
                    Hidden check = known.checks().get(id), solution = known.solutions().get(id);
                    return new Cell(id, code, line, true, check.code(), check.line(),
                            solution == null ? null : solution.code(), solution == null ? 0 : solution.line(),
                            known.hints().getOrDefault(id, List.of()).stream().map(Hint::html).toList());
                });
            }
            flush(prose, proseSource, parts);

            if (parts.isEmpty()) {
                throw new LessonFormatException(file, offset, "lesson has no content after the front matter:"
                        + " expected Markdown prose or ```java cells after this line");
            }
            List<Hidden> hidden = new ArrayList<>(checks.values());
            hidden.addAll(solutions.values());
            hints.values().forEach(list -> list.forEach(h -> hidden.add(new Hidden(h.exercise(), h.html(), h.line()))));
            for (Hidden block : hidden) {
                String kind = checks.get(block.exercise()) == block ? "check"
                        : solutions.get(block.exercise()) == block ? "solution" : "hint";
                if (!cellLines.containsKey(block.exercise())) {
                    throw new LessonFormatException(file, block.line(), kind + " for unknown cell '" + block.exercise()
                            + "': expected the id of an exercise in this lesson"
                            + (exercises.isEmpty() ? " (it has none)" : " (" + String.join(", ", exercises) + ")"));
                }
                if (!exercises.contains(block.exercise())) {
                    throw new LessonFormatException(file, block.line(), kind + " for cell '" + block.exercise()
                            + "' (line " + cellLines.get(block.exercise()) + "), which is not an exercise: expected"
                            + " that cell to be marked '```java exercise id=" + block.exercise() + "'");
                }
            }
            for (String exercise : exercises) {
                if (!checks.containsKey(exercise)) {
                    throw new LessonFormatException(file, cellLines.get(exercise), "exercise '" + exercise
                            + "' has no check: expected a '```java check for=" + exercise + "' block");
                }
            }
            HiddenBlocks known = new HiddenBlocks(checks, solutions, hints);
            return parts.stream().map(part -> part.apply(known)).toList();
        }

        /** The Markdown lines a top-level node came from. */
        private String source(Node node) {
            List<SourceSpan> spans = node.getSourceSpans();
            int from = spans.getFirst().getLineIndex();
            int to = spans.getLast().getLineIndex();
            return String.join("\n", markdown.subList(from, Math.min(to + 1, markdown.size())));
        }
    }

    private static void flush(StringBuilder prose, List<String> source, List<Function<HiddenBlocks, Block>> parts) {
        if (!prose.isEmpty()) {
            Prose block = new Prose(prose.toString(), String.join("\n\n", source));
            parts.add(known -> block);
            prose.setLength(0);
            source.clear();
        }
    }

    /**
     * CommonMark lets an unclosed fence run to the end of its container, silently turning the rest
     * of a lesson into code; and a cell nested in a list or quote could not be shown as a cell.
     */
    private static void requireClosedFences(String file, int offset, Node node, boolean topLevel)
            throws LessonFormatException {
        if (node instanceof FencedCodeBlock fence) {
            int line = line(offset, fence);
            String opening = fence.getFenceCharacter().repeat(fence.getOpeningFenceLength());
            String kind = FenceInfo.kind(fence.getInfo());
            if (!topLevel && kind != null) {
                throw new LessonFormatException(file, line, kind.equals(FenceInfo.JAVA)
                        ? "```java cell inside a list or quote: expected cells to start at the left margin, outside lists and quotes"
                        : "```" + kind + " block inside a list or quote: expected it to start at the left margin, outside lists and quotes");
            }
            if (fence.getClosingFenceLength() == null) {
                throw new LessonFormatException(file, line, "fence '" + opening + fence.getInfo().strip()
                        + "' is never closed: expected a closing '" + opening + "' line"
                        + " (without one, everything after it becomes code)");
            }
        }
        for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
            requireClosedFences(file, offset, child, false);
        }
    }

    private static int line(int offset, Node node) {
        assert !node.getSourceSpans().isEmpty() : "source spans are enabled for blocks";
        return offset + node.getSourceSpans().getFirst().getLineIndex() + 1;
    }
}
