package dev.glassbox.notebook.host.containment;

import dev.glassbox.notebook.host.ExecuteReply;
import dev.glassbox.notebook.protocol.Output;

import java.util.stream.Collectors;

/** What a learner would read in a reply: its value, its text, its first error. */
final class Replies {
    private Replies() {}

    /** The value of the cell's last expression, or null. */
    static String value(ExecuteReply reply) {
        return reply.outputs().stream().filter(Output.ExecuteResult.class::isInstance)
                .map(o -> String.valueOf(((Output.ExecuteResult) o).data().get("text/plain"))).findFirst().orElse(null);
    }

    /** Everything the page would show: streams, values, displays and errors with their tracebacks. */
    static String text(ExecuteReply reply) {
        return reply.outputs().stream().map(o -> switch (o) {
            case Output.Stream s -> s.text();
            case Output.ExecuteResult r -> String.valueOf(r.data());
            case Output.DisplayData d -> String.valueOf(d.data());
            case Output.Error e -> e.ename() + ": " + e.message() + "\n" + String.join("\n", e.traceback());
        }).collect(Collectors.joining("\n"));
    }

    static String stdout(ExecuteReply reply) {
        return reply.outputs().stream().filter(o -> o instanceof Output.Stream s && s.name().equals("stdout"))
                .map(o -> ((Output.Stream) o).text()).collect(Collectors.joining());
    }

    /** Bytes of output in the reply, as the caps count them. */
    static long weight(ExecuteReply reply) {
        return reply.outputs().stream().mapToLong(Output::weight).sum();
    }

    /** "ename: message" of the first error, or "" when there is none. */
    static String error(ExecuteReply reply) {
        return reply.error().map(e -> e.ename() + ": " + e.message()).orElse("");
    }

    /** One line for the log: status, time, restart, first error (shortened). */
    static String summary(ExecuteReply reply) {
        String error = error(reply).replace('\n', ' ');
        if (error.length() > 160) error = error.substring(0, 160) + "…";
        String value = value(reply);
        if (value != null && value.length() > 60) value = value.substring(0, 60) + "…";
        return reply.status() + " in " + reply.millis() + " ms" + (reply.restarted() ? ", restarted" : "")
                + (value != null ? ", value " + value : "") + (error.isEmpty() ? "" : ", " + error);
    }
}
