package dev.glassbox.notebook.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Map;

/**
 * One piece of a cell's output, shaped like a Jupyter output so that the page, the saved state and
 * scripts all read the same JSON. Learner output is data: the page renders it as text, tables and
 * canvases, never as HTML.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "output_type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Output.Stream.class, name = "stream"),
        @JsonSubTypes.Type(value = Output.ExecuteResult.class, name = "execute_result"),
        @JsonSubTypes.Type(value = Output.DisplayData.class, name = "display_data"),
        @JsonSubTypes.Type(value = Output.Error.class, name = "error")})
public sealed interface Output {

    /** Text the cell printed; {@code name} is "stdout" or "stderr". */
    record Stream(String name, String text) implements Output {}

    /** The value of the cell's last expression; {@code data} holds at least "text/plain". */
    record ExecuteResult(@JsonProperty("execution_count") int executionCount, Map<String, Object> data)
            implements Output {}

    /** A rich payload from the {@code Display} API, keyed by MIME type, with a "text/plain" fallback. */
    record DisplayData(Map<String, Object> data) implements Output {}

    /**
     * A compile error, a runtime exception or a stop by Glassbox. {@code line} and {@code column} are
     * 1-based positions inside the cell (0 when unknown); the traceback is trimmed to the learner's code.
     */
    record Error(String ename, String message, int line, int column, List<String> traceback) implements Output {}

    /** The Jupyter output type, written with every output (also inside plain lists and maps). */
    @JsonProperty("output_type")
    default String outputType() {
        return switch (this) {
            case Stream _ -> "stream";
            case ExecuteResult _ -> "execute_result";
            case DisplayData _ -> "display_data";
            case Error _ -> "error";
        };
    }

    /** What is missing from an output that came from a kernel, or null when it is well-formed. */
    static String problem(Output output) {
        return switch (output) {
            case Stream s -> s.name() == null || s.text() == null ? "stream output without a name or text" : null;
            case ExecuteResult r -> r.data() == null ? "execute_result without data" : null;
            case DisplayData d -> d.data() == null ? "display_data without data" : null;
            case Error e -> e.ename() == null || e.message() == null || e.traceback() == null || e.traceback().stream().anyMatch(java.util.Objects::isNull)
                    ? "error output without a name, message or traceback" : null;
        };
    }

    /** Approximate size in bytes, for output caps. */
    @JsonIgnore
    default long weight() {
        return switch (this) {
            case Stream s -> s.text().length();
            case Error e -> e.message().length() + e.traceback().stream().mapToLong(String::length).sum();
            case ExecuteResult r -> r.data().toString().length();
            case DisplayData d -> d.data().toString().length();
        };
    }
}
