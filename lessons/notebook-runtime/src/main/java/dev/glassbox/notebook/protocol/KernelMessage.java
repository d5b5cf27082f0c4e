package dev.glassbox.notebook.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/** What a kernel tells the server: one JSON line each on the kernel's standard output. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = KernelMessage.Ready.class, name = "ready"),
        @JsonSubTypes.Type(value = KernelMessage.Emitted.class, name = "output"),
        @JsonSubTypes.Type(value = KernelMessage.Reply.class, name = "reply"),
        @JsonSubTypes.Type(value = KernelMessage.Completions.class, name = "completions")})
public sealed interface KernelMessage {

    /**
     * What is wrong with a decoded message, or null when it is well-formed. A kernel runs a learner's code, so
     * anything it sends is checked before the server uses it: a missing field must not become a null deep
     * inside the server (a 500, a cell left running without its time limit).
     */
    static String problem(KernelMessage message) {
        return switch (message) {
            case Ready r -> r.javaVersion() == null ? "ready without a Java version" : null;
            case Emitted e -> e.output() == null ? "output without a payload" : Output.problem(e.output());
            case Reply r -> r.status() == null       // an unknown status string reads as null (Wire)
                    ? "reply without a known status, expected one of " + java.util.Arrays.stream(Reply.Status.values()).map(Reply.Status::wire).toList()
                    : r.executionCount() < 0 || r.evalMicros() < 0 || r.cpuMicros() < 0 ? "reply with a negative count or time" : null;
            case Completions c -> c.options() == null || c.options().stream().anyMatch(o -> o == null || o.label() == null || o.type() == null)
                    ? "completions with a missing option" : null;
        };
    }

    /** The kernel has started, warmed up JShell and waits for cells. */
    record Ready(long pid, String javaVersion) implements KernelMessage {}

    /** An output of the request {@code id} (stream text, a value, a display, an error). */
    record Emitted(long id, Output output) implements KernelMessage {}

    /**
     * The request {@code id} is finished, with its {@code status}. The times say
     * where a slow cell spent its time inside the kernel: {@code evalMicros} is wall-clock time from taking
     * the cell to its end, {@code cpuMicros} the CPU time of the kernel's whole JVM meanwhile (compiling the
     * cell, the cell itself, and JIT compiler and GC threads). Wall time far above CPU time means the kernel
     * waited for a core. {@code seal} is the kernel's signature ({@link Seal}): the server accepts no reply without it.
     */
    record Reply(long id, Status status, int executionCount, long evalMicros, long cpuMicros, String seal) implements KernelMessage {

        /** How a request ended: it ran to the end, it failed (a compile error, an exception), or it was interrupted. */
        public enum Status {
            OK, ERROR, INTERRUPTED;

            /** On the wire: "ok", "error", "interrupted". */
            @com.fasterxml.jackson.annotation.JsonValue
            public String wire() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }

    /** Completion options for the request {@code id}; {@code from} is where the completed word starts. */
    record Completions(long id, int from, List<Option> options) implements KernelMessage {
        public record Option(String label, String type) {}
    }
}
