package dev.glassbox.lessons;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * The YAML header of a lesson file, between a {@code ---} first line and the next {@code ---}.
 *
 * @param idLine  file line of the {@code id} field, for problems about the id found later
 * @param endLine file line of the closing {@code ---}; the Markdown starts on the next line
 * @param objectives   learning objectives, possibly none
 * @param minutes      time estimate, 0 when not given
 * @param requires     prerequisite lesson ids, possibly none
 * @param requiresLine file line of the {@code requires} field, 0 when there is none
 */
record FrontMatter(String id, String title, String summary, int order, List<String> models, int idLine,
        int endLine, List<String> objectives, int minutes, List<String> requires, int requiresLine) {

    /** Lesson and cell ids: they end up in URLs and HTML ids, so no spaces, capitals or stray dashes. */
    static final Pattern ID = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

    private static final List<String> FIELDS = List.of("id", "title", "summary", "order", "models",
            "objectives", "minutes", "requires"); // the last three: course contract keys, read by the course map
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String DELIMITER = "---";

    /** Reads the front matter from the lines of a lesson file (line 1 is {@code lines.get(0)}). */
    static FrontMatter read(String file, List<String> lines) throws LessonFormatException {
        if (lines.isEmpty() || !lines.getFirst().stripTrailing().equals(DELIMITER)) {
            String first = lines.isEmpty() ? "" : lines.getFirst();
            throw new LessonFormatException(file, 1, "missing front matter: expected the file to start with a '---'"
                    + " line, then YAML with id, title, summary and order, then '---'; found '" + first + "'");
        }
        int end = 1;
        while (end < lines.size() && !lines.get(end).stripTrailing().equals(DELIMITER)) {
            end++;
        }
        if (end == lines.size()) {
            throw new LessonFormatException(file, 1,
                    "front matter is never closed: expected a '---' line after the YAML that starts here");
        }
        int endLine = end + 1;
        Map<String, Field> fields = fields(file, String.join("\n", lines.subList(1, end)));

        Field id = required(file, fields, "id", endLine);
        String idText = text(file, id);
        if (!ID.matcher(idText).matches()) {
            throw new LessonFormatException(file, id.line(), "front matter field 'id' must be lowercase letters"
                    + " and digits in words joined by single dashes, like 'vectors-in-the-notebook'; found '"
                    + idText + "'");
        }
        String title = text(file, required(file, fields, "title", endLine));
        String summary = text(file, required(file, fields, "summary", endLine));
        Field order = required(file, fields, "order", endLine);
        if (!order.value().isInt()) {
            throw new LessonFormatException(file, order.line(),
                    "front matter field 'order' must be a whole number, like 'order: 3'; found " + order.value());
        }
        List<String> models = fields.containsKey("models") ? texts(file, fields.get("models"), "model names", "[tiny-llama]") : List.of();
        List<String> objectives = fields.containsKey("objectives")
                ? texts(file, fields.get("objectives"), "objectives", "[Tell open weights from fully open]") : List.of();
        int minutes = 0;
        Field minutesField = fields.get("minutes");
        if (minutesField != null) {
            if (!minutesField.value().isInt() || minutesField.value().intValue() < 1 || minutesField.value().intValue() > 600) {
                throw new LessonFormatException(file, minutesField.line(), "front matter field 'minutes' must be a whole number"
                        + " of minutes from 1 to 600, like 'minutes: 25'; found " + minutesField.value());
            }
            minutes = minutesField.value().intValue();
        }
        Field requiresField = fields.get("requires");
        List<String> requires = requiresField == null ? List.of()
                : texts(file, requiresField, "lesson ids", "[how-open-is-this-model]");
        for (String required : requires) {
            if (!ID.matcher(required).matches()) {
                throw new LessonFormatException(file, requiresField.line(), "front matter field 'requires' lists '" + required
                        + "', which is not a lesson id: expected ids like 'how-open-is-this-model'");
            }
            if (required.equals(idText)) {
                throw new LessonFormatException(file, requiresField.line(), "lesson '" + idText + "' requires itself:"
                        + " expected the ids of other lessons");
            }
        }
        return new FrontMatter(idText, title, summary, order.value().intValue(), models, id.line(), endLine,
                objectives, minutes, requires, requiresField == null ? 0 : requiresField.line());
    }

    /** One top-level YAML field, with the file line of its key. */
    private record Field(String name, JsonNode value, int line) {}

    /**
     * Reads the YAML token by token rather than into a tree, because a tree forgets where each
     * field was and messages must point at the field's line.
     */
    private static Map<String, Field> fields(String file, String yaml) throws LessonFormatException {
        Map<String, Field> fields = new HashMap<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new LessonFormatException(file, 1,
                        "front matter is empty: expected YAML with id, title, summary and order");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new LessonFormatException(file, fileLine(parser.currentTokenLocation()),
                        "front matter must be 'field: value' lines, found " + YAML.readTree(parser));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int line = fileLine(parser.currentTokenLocation());
                if (!FIELDS.contains(name)) {
                    throw new LessonFormatException(file, line, "unknown front matter field '" + name
                            + "': expected one of " + String.join(", ", FIELDS));
                }
                if (fields.containsKey(name)) {
                    throw new LessonFormatException(file, line, "front matter field '" + name
                            + "' appears twice (first on line " + fields.get(name).line() + ")");
                }
                parser.nextToken();
                JsonNode value = YAML.readTree(parser);
                fields.put(name, new Field(name, value == null ? NullNode.getInstance() : value, line));
            }
            if (parser.nextToken() != null) {
                throw new LessonFormatException(file, fileLine(parser.currentTokenLocation()),
                        "front matter must hold a single YAML document, found a second one");
            }
        } catch (JsonProcessingException e) {
            throw invalidYaml(file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from a string failed", e);
        }
        return fields;
    }

    /**
     * SnakeYAML, the parser under Jackson's, knows the exact line of a syntax error and what it
     * was in the middle of; Jackson's own location can be a line earlier.
     */
    private static LessonFormatException invalidYaml(String file, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            String context = yaml.getContext() == null || yaml.getContextMark() == null ? ""
                    : " (" + yaml.getContext() + " on line " + (yaml.getContextMark().getLine() + 2) + ")";
            // Marks count lines from 0, and the YAML starts on file line 2.
            return new LessonFormatException(file, yaml.getProblemMark().getLine() + 2,
                    "front matter is not valid YAML: " + yaml.getProblem() + context);
        }
        int line = e.getLocation() == null ? 1 : fileLine(e.getLocation());
        return new LessonFormatException(file, line, "front matter is not valid YAML: " + e.getOriginalMessage());
    }

    /** The YAML starts on file line 2, right after the opening {@code ---}. */
    private static int fileLine(JsonLocation location) {
        return Math.max(1, location.getLineNr()) + 1;
    }

    private static Field required(String file, Map<String, Field> fields, String name, int endLine)
            throws LessonFormatException {
        Field field = fields.get(name);
        if (field == null) {
            throw new LessonFormatException(file, endLine, "front matter has no '" + name
                    + "' field: expected a line '" + name + ": ...' before this closing '---'");
        }
        return field;
    }

    private static String text(String file, Field field) throws LessonFormatException {
        JsonNode value = field.value();
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new LessonFormatException(file, field.line(),
                    "front matter field '" + field.name() + "' must be non-empty text; found " + value);
        }
        return value.asText().strip();
    }

    /** A list of texts, like {@code models: [tiny-llama]}. */
    private static List<String> texts(String file, Field field, String what, String example) throws LessonFormatException {
        JsonNode value = field.value();
        if (value.isNull()) {
            return List.of(); // 'models:' with nothing after it
        }
        if (!value.isArray()) {
            throw new LessonFormatException(file, field.line(), "front matter field '" + field.name()
                    + "' must be a list of " + what + ", like " + example + "; found " + value);
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new LessonFormatException(file, field.line(),
                        "front matter field '" + field.name() + "' must list " + what + " as text; found " + item);
            }
            texts.add(item.asText().strip());
        }
        return List.copyOf(texts);
    }
}
