package dev.glassbox.notebook.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON-lines encoding both ends share: one message per line, no pretty-printing. */
public final class Wire {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            // a value outside an enum (a forged reply's status) reads as null, which KernelMessage.problem names
            .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);

    private Wire() {}

    public static String encode(Object message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(String line, Class<T> type) throws JsonProcessingException {
        return JSON.readValue(line, type);
    }
}
