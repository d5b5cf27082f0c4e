package dev.glassbox.lessons.ipynb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.lessons.Block;
import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Glossary;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonFormatException;
import dev.glassbox.lessons.LessonParser;
import dev.glassbox.lessons.LessonSearch;
import dev.glassbox.lessons.Prose;
import dev.glassbox.lessons.Quiz;
import dev.glassbox.lessons.TeacherNote;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A lesson as a Jupyter notebook (nbformat 4.5): prose as Markdown cells, each cell with the learner's code
 * and last outputs, Glassbox's own output types kept beside their {@code text/plain} fallback. Hidden parts
 * (checks, solutions, hints, teacher notes, quiz keys) are never written. {@link #read} turns a notebook with
 * Java cells back into the text of a lesson file, so a learner can keep it as a draft.
 */
public final class JupyterNotebook {

    /** Largest notebook file {@link #read} accepts. */
    public static final int MAX_BYTES = 2 * 1024 * 1024;
    /** Most cells {@link #read} accepts. */
    public static final int MAX_CELLS = 400;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** nbformat 4.5 cell ids. */
    private static final Pattern CELL_ID = Pattern.compile("[a-zA-Z0-9-_]{1,64}");
    private static final Pattern LESSON_ID = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");
    /** A fence line that the lesson parser would read as a block, inside a Markdown cell that meant it as an example. */
    private static final Pattern BLOCK_FENCE = Pattern.compile("(?m)^(\\s{0,3}(?:`{3,}|~{3,})\\s*)(java|quiz|hint|teacher)\\b");
    private static final Pattern REFERENCE = Pattern.compile("\\[\\[([^\\[\\]|\\n]+?)(?:\\|([^\\[\\]|\\n]+?))?]]");

    private JupyterNotebook() {}

    /**
     * What the learner has in one cell.
     *
     * @param code           the code in the editor
     * @param executionCount the count of the last run, or {@code null} when it never ran
     * @param outputs        the last run's outputs, possibly none
     */
    public record SavedCell(String code, Integer executionCount, List<Output> outputs) {
        public SavedCell {
            outputs = List.copyOf(outputs);
        }
    }

    /** A notebook file that cannot become a lesson; the message says what is wrong and what was expected. */
    public static final class FormatException extends Exception {
        public FormatException(String message) {
            super(message);
        }
    }

    /**
     * A notebook read as a lesson file.
     *
     * @param id       the draft's lesson id, from the file name
     * @param title    the first Markdown heading, or the file name
     * @param markdown the lesson file's text (front matter, prose, {@code ```java} cells)
     * @param lesson   that text parsed
     */
    public record Imported(String id, String title, String markdown, Lesson lesson) {}

    // ---- export ----

    /**
     * The notebook of a lesson as JSON.
     *
     * @param saved the learner's cells by cell id; a cell missing here is written as the lesson has it, without outputs
     */
    public static String write(Lesson lesson, Map<String, SavedCell> saved) {
        ObjectNode notebook = JSON.createObjectNode();
        ObjectNode metadata = notebook.putObject("metadata");
        ObjectNode kernelspec = metadata.putObject("kernelspec");
        kernelspec.put("name", "java");
        kernelspec.put("display_name", "Java");
        kernelspec.put("language", "java");
        ObjectNode language = metadata.putObject("language_info");
        language.put("name", "java");
        language.put("version", String.valueOf(Runtime.version().feature()));
        language.put("mimetype", "text/x-java-source");
        language.put("file_extension", ".jshell");
        language.put("codemirror_mode", "java");
        ObjectNode glassbox = metadata.putObject("glassbox");
        glassbox.put("lesson", lesson.id());
        glassbox.put("title", lesson.title());
        notebook.put("nbformat", 4);
        notebook.put("nbformat_minor", 5);
        ArrayNode cells = notebook.putArray("cells");
        cells.add(markdown("title", "# " + lesson.title() + "\n\n" + lesson.summary()));
        int prose = 0;
        for (Block block : lesson.blocks()) {
            switch (block) {
                case Prose p -> cells.add(markdown("md-" + ++prose, withoutReferences(p.markdown())));
                case Quiz q -> cells.add(markdown("quiz-" + q.id(), quizMarkdown(q)));
                case TeacherNote note -> { } // for the teacher's eyes only
                case Cell c -> cells.add(code(c, saved.get(c.id())));
            }
        }
        try {
            return JSON.writeValueAsString(notebook) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a notebook built from a lesson is always JSON", e);
        }
    }

    /** {@code [[shown|term]]} reads as "shown" outside Glassbox. */
    private static String withoutReferences(String markdown) {
        return REFERENCE.matcher(markdown).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group(1).strip()));
    }

    private static String quizMarkdown(Quiz quiz) {
        StringBuilder text = new StringBuilder("**Quiz:** ").append(LessonSearch.plainText(quiz.question()).strip());
        if (quiz.multipleChoice()) {
            text.append("\n");
            for (Quiz.Choice choice : quiz.choices()) text.append("\n- ").append(LessonSearch.plainText(choice.html()).strip());
        }
        return text.append("\n\n*Answer this quiz in Glassbox to have it checked.*").toString();
    }

    private static ObjectNode markdown(String id, String source) {
        ObjectNode cell = JSON.createObjectNode();
        cell.put("cell_type", "markdown");
        cell.put("id", id);
        cell.putObject("metadata");
        cell.set("source", source(source));
        return cell;
    }

    private static ObjectNode code(Cell lessonCell, SavedCell saved) {
        ObjectNode cell = JSON.createObjectNode();
        cell.put("cell_type", "code");
        cell.put("id", CELL_ID.matcher(lessonCell.id()).matches() ? lessonCell.id() : "cell");
        ObjectNode metadata = cell.putObject("metadata");
        ObjectNode glassbox = metadata.putObject("glassbox");
        glassbox.put("id", lessonCell.id());
        glassbox.put("exercise", lessonCell.exercise());
        cell.set("source", source(saved != null && saved.code() != null ? saved.code() : lessonCell.code()));
        if (saved == null || saved.executionCount() == null) cell.putNull("execution_count");
        else cell.put("execution_count", saved.executionCount());
        ArrayNode outputs = cell.putArray("outputs");
        if (saved != null) saved.outputs().forEach(output -> outputs.add(output(output)));
        return cell;
    }

    private static ObjectNode output(Output output) {
        ObjectNode out = JSON.createObjectNode();
        out.put("output_type", output.outputType());
        switch (output) {
            case Output.Stream s -> {
                out.put("name", s.name().equals("stderr") ? "stderr" : "stdout");
                out.set("text", source(s.text()));
            }
            case Output.ExecuteResult r -> {
                out.put("execution_count", r.executionCount());
                out.set("data", bundle(r.data()));
                out.putObject("metadata");
            }
            case Output.DisplayData d -> {
                out.set("data", bundle(d.data()));
                out.putObject("metadata");
            }
            case Output.Error e -> {
                out.put("ename", e.ename());
                out.put("evalue", e.message());
                ArrayNode traceback = out.putArray("traceback");
                e.traceback().forEach(traceback::add);
            }
        }
        return out;
    }

    /**
     * A MIME bundle: JSON types ({@code application/...+json}) as JSON, everything else as text, and
     * always a {@code text/plain} fallback for notebook readers that know none of Glassbox's types.
     */
    private static ObjectNode bundle(Map<String, Object> data) {
        ObjectNode bundle = JSON.createObjectNode();
        for (Map.Entry<String, Object> entry : data.entrySet()) {
            String mime = entry.getKey();
            if (mime.endsWith("+json") || mime.equals("application/json")) bundle.set(mime, JSON.valueToTree(entry.getValue()));
            else bundle.set(mime, source(String.valueOf(entry.getValue())));
        }
        if (!bundle.has("text/plain")) bundle.set("text/plain", source("[" + String.join(", ", data.keySet()) + "]"));
        return bundle;
    }

    /** nbformat's multiline string: a list of lines, each but the last ending in a newline. */
    private static ArrayNode source(String text) {
        ArrayNode lines = JSON.createArrayNode();
        int start = 0;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
            lines.add(text.substring(start, i + 1));
            start = i + 1;
        }
        if (start < text.length()) lines.add(text.substring(start));
        return lines;
    }

    // ---- import ----

    /**
     * Reads a notebook with Java cells as a lesson file.
     *
     * @param fileName the uploaded file's name, for the draft's id and title
     * @throws FormatException when the file is too large, not nbformat 4 JSON, not Java, or has no code cell
     */
    public static Imported read(String fileName, byte[] bytes) throws FormatException {
        if (bytes.length > MAX_BYTES) {
            throw new FormatException("notebook is " + bytes.length + " bytes; Glassbox imports notebooks up to " + MAX_BYTES
                    + " bytes (clear large outputs first: they are not imported anyway)");
        }
        JsonNode notebook;
        try {
            notebook = JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new FormatException("notebook is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (notebook == null || !notebook.isObject()) throw new FormatException("notebook must be a JSON object with \"cells\"");
        JsonNode format = notebook.get("nbformat");
        if (format == null || !format.canConvertToInt() || format.asInt() != 4) {
            throw new FormatException("notebook format 4 expected (\"nbformat\": 4), found " + format);
        }
        String language = language(notebook.path("metadata"));
        if (language != null && !language.equals("java")) {
            throw new FormatException("this notebook's language is " + language + "; Glassbox imports notebooks with Java cells");
        }
        JsonNode cells = notebook.get("cells");
        if (cells == null || !cells.isArray()) throw new FormatException("notebook has no \"cells\" list");
        if (cells.size() > MAX_CELLS) {
            throw new FormatException("notebook has " + cells.size() + " cells; Glassbox imports up to " + MAX_CELLS);
        }

        String base = fileName == null ? "notebook" : fileName.replaceAll("(?i)\\.ipynb$", "").replaceAll(".*[/\\\\]", "");
        String id = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        if (id.isEmpty()) id = "notebook";
        if (id.length() > 60) id = id.substring(0, 60).replaceAll("-$", "");
        String title = null;
        StringBuilder body = new StringBuilder();
        Set<String> ids = new HashSet<>();
        int codeCells = 0;
        for (int i = 0; i < cells.size(); i++) {
            JsonNode cell = cells.get(i);
            String type = cell.path("cell_type").asText("");
            String source = text(cell.get("source"), i);
            switch (type) {
                case "markdown" -> {
                    if (title == null) {
                        title = source.lines().filter(l -> l.startsWith("# ")).map(l -> l.substring(2).strip()).findFirst().orElse(null);
                    }
                    if (!source.isBlank()) {
                        body.append(BLOCK_FENCE.matcher(source.replace("[[", "\\[\\[")).replaceAll("$1text-$2").strip()).append("\n\n");
                    }
                }
                case "code" -> {
                    codeCells++;
                    String cellId = cell.path("metadata").path("glassbox").path("id").asText(cell.path("id").asText(""));
                    if (!LESSON_ID.matcher(cellId).matches() || cellId.length() > 64 || !ids.add(cellId)) {
                        cellId = "cell-" + codeCells;
                        for (int n = 2; !ids.add(cellId); n++) cellId = "cell-" + codeCells + "-" + n;
                    }
                    String fence = "```";
                    while (source.contains(fence)) fence += "`";
                    body.append(fence).append("java id=").append(cellId).append('\n').append(source.stripTrailing()).append('\n')
                            .append(fence).append("\n\n");
                }
                case "raw" -> { } // raw cells are for other converters
                default -> throw new FormatException("cell " + (i + 1) + " has cell_type " + cell.get("cell_type")
                        + ": expected \"markdown\", \"code\" or \"raw\"");
            }
        }
        if (codeCells == 0) throw new FormatException("notebook has no code cells: expected at least one Java cell");
        if (title == null || title.isBlank()) title = base.isBlank() ? "Imported notebook" : base;
        String front = "---\nid: " + id + "\ntitle: " + yamlString(title) + "\nsummary: " + yamlString("Imported from " + base + ".ipynb")
                + "\norder: 0\n---\n";
        String markdown = front + body;
        try {
            return new Imported(id, title, markdown, LessonParser.parse(id + ".md", markdown, Glossary.EMPTY));
        } catch (LessonFormatException e) {
            throw new FormatException("the notebook does not make a valid lesson: " + e.getMessage());
        }
    }

    private static String language(JsonNode metadata) {
        JsonNode kernel = metadata.path("kernelspec").path("language");
        if (kernel.isTextual()) return kernel.asText().toLowerCase(Locale.ROOT);
        JsonNode info = metadata.path("language_info").path("name");
        return info.isTextual() ? info.asText().toLowerCase(Locale.ROOT) : null;
    }

    private static String text(JsonNode source, int index) throws FormatException {
        if (source == null || source.isNull()) return "";
        if (source.isTextual()) return source.asText();
        if (source.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode line : source) {
                if (!line.isTextual()) throw new FormatException("cell " + (index + 1) + "'s source must be text, found " + line);
                text.append(line.asText());
            }
            return text.toString();
        }
        throw new FormatException("cell " + (index + 1) + "'s source must be a string or a list of strings, found " + source);
    }

    /** A YAML double-quoted scalar: JSON's string syntax is a subset of it. */
    private static String yamlString(String text) {
        try {
            return new ObjectMapper().writeValueAsString(text.replaceAll("[\\p{Cntrl}]", " "));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cells of a lesson as a notebook carries them: id to code, in order (for tests and re-import checks). */
    public static Map<String, String> codeCells(Lesson lesson) {
        Map<String, String> cells = new LinkedHashMap<>();
        lesson.cells().forEach(cell -> cells.put(cell.id(), cell.code()));
        return cells;
    }
}
