package dev.glassbox.web.server;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A response streamed as newline-delimited JSON (one message per line, flushed at once), as a cell's outputs and a
 * generation's tokens are: the browser shows each line as it comes.
 */
public final class NdjsonStream {
    private final OutputStream out;

    private NdjsonStream(OutputStream out) {
        this.out = out;
    }

    /** Starts the streamed response of {@code ctx}; an IOException when the browser has already gone. */
    public static NdjsonStream open(Context ctx) throws IOException {
        ctx.contentType("application/x-ndjson");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");                 // no proxy buffering either
        // The servlet's own stream: Javalin's ctx.outputStream() has no flush of its own, so lines would wait for the end.
        return new NdjsonStream(ctx.res().getOutputStream());
    }

    /** Sends one line; an UncheckedIOException when the browser went away (to stop work nobody will see). */
    public void send(Object message) {
        try {
            synchronized (out) {                               // lines from several threads stay whole
                out.write((Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the browser went away", e);
        }
    }

    /** Sends one line if the browser is still there; false when it went away (the work goes on, its result is saved). */
    public boolean trySend(Object message) {
        try {
            send(message);
            return true;
        } catch (UncheckedIOException gone) {
            return false;
        }
    }
}
