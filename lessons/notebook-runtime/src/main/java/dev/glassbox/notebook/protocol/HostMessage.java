package dev.glassbox.notebook.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What the server asks of a kernel: one JSON line each on the kernel's standard input. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HostMessage.Key.class, name = "key"),
        @JsonSubTypes.Type(value = HostMessage.Claim.class, name = "claim"),
        @JsonSubTypes.Type(value = HostMessage.Execute.class, name = "execute"),
        @JsonSubTypes.Type(value = HostMessage.Complete.class, name = "complete"),
        @JsonSubTypes.Type(value = HostMessage.Interrupt.class, name = "interrupt"),
        @JsonSubTypes.Type(value = HostMessage.Shutdown.class, name = "shutdown")})
public sealed interface HostMessage {

    /** The first line a kernel reads, before any cell: the key of its {@link Seal} (base64). */
    record Key(String key) implements HostMessage {
        @Override
        public String toString() {
            return "Key[...]";                                // never in a log
        }
    }

    /**
     * The kernel is a learner's now: it stops what it does while it waits in the pool (warming up a lesson's first
     * model cell), so that a class opening its kernels does not pay for forty warm-ups at a learner's CPU weight.
     */
    record Claim() implements HostMessage {}

    /**
     * Run a cell. {@code label} names the cell in tracebacks; a {@code check} runs hidden: it gets no
     * execution count, its output is dropped and it leaves no declarations behind.
     */
    record Execute(long id, String code, String label, boolean check) implements HostMessage {}

    /** Completions at {@code cursor} (a char offset into {@code code}). */
    record Complete(long id, String code, int cursor) implements HostMessage {}

    /** Stop the running cell, if any. */
    record Interrupt() implements HostMessage {}

    /** Exit the kernel JVM. */
    record Shutdown() implements HostMessage {}
}
