package dev.glassbox.web.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * A request's JSON body, read at the boundary: every wrong type or value is a 400 and every oversized one a 413,
 * each with a message that names the field, what was expected and what came. The one body parser of every API.
 */
public final class RequestBody {
    private final JsonNode body;

    private RequestBody(JsonNode body) {
        this.body = body;
    }

    /** The body of {@code ctx}, which must be a JSON object. */
    public static RequestBody of(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.body());
            if (node == null || !node.isObject()) throw new BadRequestResponse("Body must be a JSON object");
            return new RequestBody(node);
        } catch (JsonProcessingException e) {
            throw new BadRequestResponse("Body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The whole object, for bodies whose shape a handler walks itself. */
    public JsonNode json() {
        return body;
    }

    /** A required string field (it may be empty). */
    public String string(String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) throw new BadRequestResponse("Body needs a string field \"" + field + "\"");
        return value.asText();
    }

    /** An optional string field: null when absent or null. */
    public String optionalString(String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw new BadRequestResponse("Field \"" + field + "\" must be a string");
        return value.asText();
    }

    /** A required whole number that fits an int. */
    public int integer(String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new BadRequestResponse("Body needs an integer field \"" + field + "\"");
        }
        return value.asInt();
    }

    /** A required string of at most {@code maxChars} characters (413 beyond). */
    public String text(String field, int maxChars) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) throw new BadRequestResponse("Body needs a string field \"" + field + "\"");
        String text = value.asText();
        if (text.isEmpty()) throw new BadRequestResponse("Field \"" + field + "\" is empty: give the model some text");
        int length = text.codePointCount(0, text.length());
        if (length > maxChars) {
            throw new ContentTooLargeResponse("Field \"" + field + "\" has " + length + " characters; at most " + maxChars + " per request");
        }
        return text;
    }

    /** An optional whole number in [min, max]; {@code fallback} when absent or null. */
    public long integer(String field, long fallback, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw new BadRequestResponse("Field \"" + field + "\" must be a whole number from " + min + " to " + max + ", found " + value);
        }
        return value.asLong();
    }

    /** An optional number in [min, max]; {@code fallback} when absent or null. */
    public double number(String field, double fallback, double min, double max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isNumber() || !(value.asDouble() >= min && value.asDouble() <= max)) {
            throw new BadRequestResponse("Field \"" + field + "\" must be a number from " + min + " to " + max + ", found " + value);
        }
        return value.asDouble();
    }

    /** An optional list of strings, at most {@code max} of them (413 beyond). */
    public List<String> strings(String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return List.of();
        if (!value.isArray()) throw new BadRequestResponse("Field \"" + field + "\" must be a list of strings");
        if (value.size() > max) throw new ContentTooLargeResponse("Field \"" + field + "\" has " + value.size() + " entries; at most " + max);
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) throw new BadRequestResponse("Field \"" + field + "\" must hold only strings, found " + item);
            out.add(item.asText());
        }
        return out;
    }

    /** An optional list of [a, b] pairs of whole numbers, at most {@code max} of them. */
    public List<int[]> pairs(String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return List.of();
        if (!value.isArray()) throw new BadRequestResponse("Field \"" + field + "\" must be a list of [layer, head] pairs");
        if (value.size() > max) throw new ContentTooLargeResponse("Field \"" + field + "\" has " + value.size() + " entries; at most " + max);
        List<int[]> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isArray() || item.size() != 2 || !item.get(0).canConvertToInt() || !item.get(1).canConvertToInt()
                    || !item.get(0).isIntegralNumber() || !item.get(1).isIntegralNumber()) {
                throw new BadRequestResponse("Field \"" + field + "\" must be a list of [layer, head] pairs, found " + item);
            }
            out.add(new int[] {item.get(0).asInt(), item.get(1).asInt()});
        }
        return out;
    }
}
