package dev.glassbox.lessons;

import java.util.ArrayList;
import java.util.Collection;
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

    /** A hidden block of an exercise: its check or its solution. */
    private record Hidden(String exercise, String code, int line) {}

    private static List<Block> blocks(String file, int offset, Node document) throws LessonFormatException {
        // An exercise can only become a Cell once its check and solution are known, and they come after it:
        // so each part of the page waits for the lesson's hidden blocks before it turns into a block.
        List<Function<HiddenBlocks, Block>> parts = new ArrayList<>();
        Map<String, Integer> cellLines = new HashMap<>();
        Map<String, Hidden> checks = new LinkedHashMap<>();
        Map<String, Hidden> solutions = new LinkedHashMap<>();
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
            if (info.isCheck() || info.isSolution()) {
                String kind = info.isCheck() ? "check" : "solution";
                Hidden hidden = new Hidden(info.isCheck() ? info.checkFor() : info.solutionFor(), code, line);
                Hidden first = (info.isCheck() ? checks : solutions).putIfAbsent(hidden.exercise(), hidden);
                if (first != null) {
                    throw new LessonFormatException(file, line, "second " + kind + " for exercise '" + hidden.exercise()
                            + "' (the first is on line " + first.line() + "): an exercise has "
                            + (info.isCheck() ? "exactly one check" : "at most one solution"));
                }
                if (code.isBlank()) {
                    throw new LessonFormatException(file, line, kind + " for '" + hidden.exercise() + "' is empty: expected "
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
            flush(prose, parts);
            boolean exercise = info.exercise();
            parts.add(known -> {
                if (!exercise) return new Cell(id, code, line, false, null, 0, null, 0);
                Hidden check = known.checks().get(id), solution = known.solutions().get(id);
                return new Cell(id, code, line, true, check.code(), check.line(),
                        solution == null ? null : solution.code(), solution == null ? 0 : solution.line());
            });
        }
        flush(prose, parts);

        if (parts.isEmpty()) {
            throw new LessonFormatException(file, offset, "lesson has no content after the front matter:"
                    + " expected Markdown prose or ```java cells after this line");
        }
        for (Hidden hidden : concat(checks.values(), solutions.values())) {
            String kind = checks.get(hidden.exercise()) == hidden ? "check" : "solution";
            if (!cellLines.containsKey(hidden.exercise())) {
                throw new LessonFormatException(file, hidden.line(), kind + " for unknown cell '" + hidden.exercise()
                        + "': expected the id of an exercise in this lesson"
                        + (exercises.isEmpty() ? " (it has none)" : " (" + String.join(", ", exercises) + ")"));
            }
            if (!exercises.contains(hidden.exercise())) {
                throw new LessonFormatException(file, hidden.line(), kind + " for cell '" + hidden.exercise()
                        + "' (line " + cellLines.get(hidden.exercise()) + "), which is not an exercise: expected"
                        + " that cell to be marked '```java exercise id=" + hidden.exercise() + "'");
            }
        }
        for (String exercise : exercises) {
            if (!checks.containsKey(exercise)) {
                throw new LessonFormatException(file, cellLines.get(exercise), "exercise '" + exercise
                        + "' has no check: expected a '```java check for=" + exercise + "' block");
            }
        }
        HiddenBlocks known = new HiddenBlocks(checks, solutions);
        return parts.stream().map(part -> part.apply(known)).toList();
    }

    /** Every exercise's check, and the solutions the lesson gives, by exercise id. */
    private record HiddenBlocks(Map<String, Hidden> checks, Map<String, Hidden> solutions) {}

    private static List<Hidden> concat(Collection<Hidden> checks, Collection<Hidden> solutions) {
        List<Hidden> all = new ArrayList<>(checks);
        all.addAll(solutions);
        return all;
    }

    private static void flush(StringBuilder prose, List<Function<HiddenBlocks, Block>> parts) {
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
