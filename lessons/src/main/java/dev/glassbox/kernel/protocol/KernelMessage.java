package dev.glassbox.kernel.protocol;

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

    /** Statuses a {@link Reply} may carry. */
    java.util.Set<String> STATUSES = java.util.Set.of("ok", "error", "interrupted");

    /**
     * What is wrong with a decoded message, or null when it is well-formed. A kernel runs a learner's code, so
     * anything it sends is checked before the server uses it: a missing field must not become a null deep
     * inside the server (a 500, a cell left running without its time limit).
     */
    static String problem(KernelMessage message) {
        return switch (message) {
            case Ready r -> r.javaVersion() == null ? "ready without a Java version" : null;
            case Emitted e -> e.output() == null ? "output without a payload" : Output.problem(e.output());
            case Reply r -> r.status() == null || !STATUSES.contains(r.status())
                    ? "reply with status " + r.status() + ", expected one of " + STATUSES
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
     * The request {@code id} is finished; {@code status} is "ok", "error" or "interrupted". The times say
     * where a slow cell spent its time inside the kernel: {@code evalMicros} is wall-clock time from taking
     * the cell to its end, {@code cpuMicros} the CPU time of the kernel's whole JVM meanwhile (compiling the
     * cell, the cell itself, and JIT compiler and GC threads). Wall time far above CPU time means the kernel
     * waited for a core.
     */
    record Reply(long id, String status, int executionCount, long evalMicros, long cpuMicros) implements KernelMessage {
        public Reply(long id, String status, int executionCount) {
            this(id, status, executionCount, 0, 0);
        }
    }

    /** Completion options for the request {@code id}; {@code from} is where the completed word starts. */
    record Completions(long id, int from, List<Option> options) implements KernelMessage {
        public record Option(String label, String type) {}
    }
}
