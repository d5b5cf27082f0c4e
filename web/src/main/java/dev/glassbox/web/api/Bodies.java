package dev.glassbox.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glassbox.web.server.Json;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

/** Reading request bodies at the boundary, with errors that say what was expected. */
final class Bodies {
    private Bodies() {}

    static JsonNode json(Context ctx) {
        try {
            JsonNode node = Json.MAPPER.readTree(ctx.body());
            if (node == null || !node.isObject()) throw new BadRequestResponse("Body must be a JSON object");
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequestResponse("Body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static String requiredString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) throw new BadRequestResponse("Body needs a string field \"" + field + "\"");
        return value.asText();
    }

    static String optionalString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw new BadRequestResponse("Field \"" + field + "\" must be a string");
        return value.asText();
    }

    static int requiredInt(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.canConvertToInt()) throw new BadRequestResponse("Body needs an integer field \"" + field + "\"");
        return value.asInt();
    }
}
