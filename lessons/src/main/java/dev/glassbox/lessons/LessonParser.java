package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Node;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Reads a lesson file: YAML front matter, then Markdown in which every {@code ```java} fence is a
 * notebook cell. Any mistake in the format is reported with the file line it is on.
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
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        List<String> lines = lines(text);
        FrontMatter front = FrontMatter.read(file, lines);
        // Markdown line index 0 is the line after the closing ---, i.e. file line endLine + 1.
        Node document = MARKDOWN.parse(String.join("\n", lines.subList(front.endLine(), lines.size())));
        List<Block> blocks = blocks(file, front.endLine(), document);
        return new Lesson(front.id(), front.title(), front.summary(), front.order(), front.models(), file, blocks);
    }

    /** The file's lines, whatever line endings the author's editor used. */
    static List<String> lines(String text) {
        String unix = text.replace("\r\n", "\n").replace('\r', '\n');
        if (unix.startsWith("\uFEFF")) {
            unix = unix.substring(1); // byte order mark, added by some editors
        }
        return List.of(unix.split("\n", -1));
    }

    private record Check(String exercise, String code, int line) {}

    private static List<Block> blocks(String file, int offset, Node document) throws LessonFormatException {
        // An exercise can only become a Cell once its check is known, and the check comes after it:
        // so each part of the page waits for the lesson's checks before it turns into a block.
        List<Function<Map<String, Check>, Block>> parts = new ArrayList<>();
        Map<String, Integer> cellLines = new HashMap<>();
        Map<String, Check> checks = new LinkedHashMap<>();
        List<String> exercises = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        int cellNumber = 0;

        for (Node node = document.getFirstChild(); node != null; node = node.getNext()) {
            requireClosedFences(file, offset, node, true);
            if (!(node instanceof FencedCodeBlock fence && FenceInfo.isJava(fence.getInfo()))) {
                prose.append(HTML.render(node));
                continue;
            }
            int line = line(offset, fence);
            FenceInfo info = FenceInfo.parse(file, line, fence.getInfo());
            String code = fence.getLiteral().stripTrailing();
            if (info.isCheck()) {
                Check check = new Check(info.checkFor(), code, line);
                Check first = checks.putIfAbsent(check.exercise(), check);
                if (first != null) {
                    throw new LessonFormatException(file, line, "second check for exercise '" + check.exercise()
                            + "' (the first is on line " + first.line() + "): an exercise has exactly one check");
                }
                if (code.isBlank()) {
                    throw new LessonFormatException(file, line, "check for '" + check.exercise()
                            + "' is empty: expected code that fails when the exercise is not solved");
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
            flush(prose, parts);
            boolean exercise = info.exercise();
            parts.add(known -> exercise
                    ? new Cell(id, code, line, true, known.get(id).code(), known.get(id).line())
                    : new Cell(id, code, line, false, null, 0));
        }
        flush(prose, parts);

        if (parts.isEmpty()) {
            throw new LessonFormatException(file, offset, "lesson has no content after the front matter:"
                    + " expected Markdown prose or ```java cells after this line");
        }
        for (Check check : checks.values()) {
            if (!cellLines.containsKey(check.exercise())) {
                throw new LessonFormatException(file, check.line(), "check for unknown cell '" + check.exercise()
                        + "': expected the id of an exercise in this lesson"
                        + (exercises.isEmpty() ? " (it has none)" : " (" + String.join(", ", exercises) + ")"));
            }
            if (!exercises.contains(check.exercise())) {
                throw new LessonFormatException(file, check.line(), "check for cell '" + check.exercise()
                        + "' (line " + cellLines.get(check.exercise()) + "), which is not an exercise: expected"
                        + " that cell to be marked '```java exercise id=" + check.exercise() + "'");
            }
        }
        for (String exercise : exercises) {
            if (!checks.containsKey(exercise)) {
                throw new LessonFormatException(file, cellLines.get(exercise), "exercise '" + exercise
                        + "' has no check: expected a '```java check for=" + exercise + "' block");
            }
        }
        return parts.stream().map(part -> part.apply(checks)).toList();
    }

    private static void flush(StringBuilder prose, List<Function<Map<String, Check>, Block>> parts) {
        if (!prose.isEmpty()) {
            Prose block = new Prose(prose.toString());
            parts.add(known -> block);
            prose.setLength(0);
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
            if (!topLevel && FenceInfo.isJava(fence.getInfo())) {
                throw new LessonFormatException(file, line, "```java cell inside a list or quote: expected cells"
                        + " to start at the left margin, outside lists and quotes");
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
