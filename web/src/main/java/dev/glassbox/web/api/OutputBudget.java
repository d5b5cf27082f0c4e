package dev.glassbox.web.api;

import dev.glassbox.notebook.protocol.Output;

import java.util.List;

/**
 * The server's own caps on what one run sends to the page and the database. The kernel caps its output
 * too, but the kernel runs the learner's code: a cell can write protocol lines straight to the kernel's
 * standard output and skip the kernel's caps. So here, whatever the kernel says: one display (a table,
 * a heatmap, a value) of at most {@link #MAX_DISPLAY_CHARS}, error messages and tracebacks trimmed, and
 * at most {@link #MAX_RUN_CHARS} in all; past that, one note says what was left out.
 */
final class OutputBudget {
    static final int MAX_DISPLAY_CHARS = 1024 * 1024;
    static final long MAX_RUN_CHARS = 4L * 1024 * 1024;
    static final int MAX_ERROR_MESSAGE_CHARS = 16 * 1024;
    static final int MAX_TRACEBACK_LINES = 100;
    static final int MAX_TRACEBACK_LINE_CHARS = 1000;

    private long used;
    private boolean exhausted;

    /** The output as the page may get it (possibly replaced by a note), or null once the run's budget is spent. */
    synchronized Output admit(Output output) {
        if (exhausted) return null;
        Output fitted = switch (output) {
            case Output.DisplayData d when d.weight() > MAX_DISPLAY_CHARS -> dropped("display", d.weight());
            case Output.ExecuteResult r when r.weight() > MAX_DISPLAY_CHARS -> dropped("value", r.weight());
            case Output.Error e -> trimmed(e);
            default -> output;
        };
        long weight = fitted.weight();
        if (used + weight > MAX_RUN_CHARS) {
            exhausted = true;
            return new Output.Stream("stderr", "\n[output truncated by the server: a run may send at most "
                    + MAX_RUN_CHARS / (1024 * 1024) + " MB]\n");
        }
        used += weight;
        return fitted;
    }

    private static Output dropped(String what, long weight) {
        return new Output.Stream("stderr", "[a " + what + " of " + kilobytes(weight) + " was left out: one display may be at most "
                + kilobytes(MAX_DISPLAY_CHARS) + "]\n");
    }

    private static Output.Error trimmed(Output.Error e) {
        String message = e.message() == null ? "" : e.message();
        if (message.length() > MAX_ERROR_MESSAGE_CHARS) message = message.substring(0, MAX_ERROR_MESSAGE_CHARS) + " …[message truncated]";
        List<String> trace = e.traceback() == null ? List.of() : e.traceback();
        if (trace.size() > MAX_TRACEBACK_LINES || trace.stream().anyMatch(l -> l.length() > MAX_TRACEBACK_LINE_CHARS)) {
            trace = trace.stream().limit(MAX_TRACEBACK_LINES)
                    .map(l -> l.length() > MAX_TRACEBACK_LINE_CHARS ? l.substring(0, MAX_TRACEBACK_LINE_CHARS) + " …" : l)
                    .toList();
        }
        String ename = e.ename() == null ? "Error" : e.ename();
        if (ename.length() > 200) ename = ename.substring(0, 200) + "…";
        return message.equals(e.message()) && trace == e.traceback() && ename.equals(e.ename()) ? e
                : new Output.Error(ename, message, e.line(), e.column(), trace);
    }

    private static String kilobytes(long chars) {
        return chars >= 1024 * 1024 ? String.format("%.1f MB", chars / (1024.0 * 1024)) : (chars + 1023) / 1024 + " KB";
    }
}
