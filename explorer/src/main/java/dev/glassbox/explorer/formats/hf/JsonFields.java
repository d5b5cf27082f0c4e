package dev.glassbox.explorer.formats.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top-level fields of a JSON file, each with the byte offset where it starts, so a reader can say
 * where a bad value is even after parsing it into a tree.
 */
record JsonFields(Path file, Map<String, JsonNode> values, Map<String, Long> offsets) {
    // a tokenizer's vocabulary is an object with tens of thousands of keys: interning each one into the JVM's string
    // table halves the time to read MiniLM's tokenizer.json in a warm JVM (Jackson's own table of names stays on:
    // without it, the parser reports no byte offsets, which the errors here name)
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build());

    static JsonFields read(Path file, long maxBytes) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) throw new ModelFormatException(file, 0, "a JSON file of at most " + maxBytes + " bytes expected, found " + size);
        byte[] bytes = Files.readAllBytes(file);
        Map<String, JsonNode> values = new LinkedHashMap<>();
        Map<String, Long> offsets = new LinkedHashMap<>();
        try (JsonParser json = MAPPER.createParser(bytes)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelFormatException(file, json.currentTokenLocation().getByteOffset(), "a JSON object expected, found " + json.currentToken());
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                offsets.put(name, json.currentTokenLocation().getByteOffset());
                json.nextToken();
                values.put(name, json.readValueAsTree());
            }
            if (json.nextToken() != null) {
                throw new ModelFormatException(file, json.currentTokenLocation().getByteOffset(), "the end of the file after the JSON object expected");
            }
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw new ModelFormatException(file, where == null ? -1 : where.getByteOffset(), "well-formed JSON expected: " + e.getOriginalMessage(), e);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {                                       // e.g. bytes that look like UTF-16 or UTF-32 JSON
            throw new ModelFormatException(file, 0, "UTF-8 JSON expected: " + e.getMessage(), e);
        }
        return new JsonFields(file, Collections.unmodifiableMap(values), Collections.unmodifiableMap(offsets));
    }

    JsonNode get(String name) { return values.get(name); }

    /** The first of {@code names} present with an integer value in [0, 2^31), or -1 if none is present. */
    int count(String... names) throws ModelFormatException {
        for (String name : names) {
            JsonNode value = values.get(name);
            if (value == null || value.isNull()) continue;
            if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
                throw error(name, name + " as a non-negative integer expected, found " + value);
            }
            return value.intValue();
        }
        return -1;
    }

    /** The first of {@code names} present with a number, or NaN. */
    double number(String... names) throws ModelFormatException {
        for (String name : names) {
            JsonNode value = values.get(name);
            if (value == null || value.isNull()) continue;
            if (!value.isNumber()) throw error(name, name + " as a number expected, found " + value);
            return value.doubleValue();
        }
        return Double.NaN;
    }

    /** The first of {@code names} present with a string, or null. */
    String text(String... names) throws ModelFormatException {
        for (String name : names) {
            JsonNode value = values.get(name);
            if (value == null || value.isNull()) continue;
            if (!value.isTextual()) throw error(name, name + " as a string expected, found " + value.getNodeType());
            return value.textValue();
        }
        return null;
    }

    ModelFormatException error(String field, String problem) {
        return new ModelFormatException(file, offsets.getOrDefault(field, -1L), problem);
    }

    static Map<String, Object> plain(Map<String, JsonNode> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, MAPPER.convertValue(v, Object.class)));
        return Collections.unmodifiableMap(out);
    }
}
