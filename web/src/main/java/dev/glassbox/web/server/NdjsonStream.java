package dev.glassbox.web.server;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A response streamed as newline-delimited JSON (one message per line, flushed at once), as a cell's outputs and a
 * generation's tokens are: the browser shows each line as it comes.
 * <p>
 * Lines are written by a thread of the stream's own, so whoever produces them (a kernel's cell, with its time limit
 * to keep) never waits for the network. What waits to be written is bounded ({@link #MAX_PENDING_BYTES}): a client
 * that stops reading gets no more lines once that much is waiting, and the producer hears that the browser has
 * gone, so a stalled client costs the server a bounded amount of memory whatever is produced for it.
 * {@link #close()} ends the response: the handler that opened the stream closes it before it returns.
 */
public final class NdjsonStream implements AutoCloseable {
    /** Bytes encoded and not yet written that one response may hold (one longer line is let through alone). */
    public static final int MAX_PENDING_BYTES = 1 << 20;
    /** Longest {@link #close()} waits for the lines still waiting; a blocked write ends at the server's idle timeout anyway. */
    private static final long DRAIN_MILLIS = 60_000;

    private final OutputStream out;
    private final Deque<byte[]> pending = new ArrayDeque<>();
    private long pendingBytes;                 // waiting or being written (guarded by this)
    private boolean closing;
    private String gone;                       // why lines are no longer sent, null while they are
    private final Thread writer;

    private NdjsonStream(OutputStream out) {
        this.out = out;
        this.writer = Thread.ofVirtual().name("ndjson-writer").start(this::write);
    }

    /** Starts the streamed response of {@code ctx}; an IOException when the browser has already gone. */
    public static NdjsonStream open(Context ctx) throws IOException {
        ctx.contentType("application/x-ndjson");
        ctx.header("Cache-Control", "no-store");
        ctx.header("X-Accel-Buffering", "no");                 // no proxy buffering either
        // The servlet's own stream: Javalin's ctx.outputStream() has no flush of its own, so lines would wait for the end.
        return new NdjsonStream(ctx.res().getOutputStream());
    }

    /**
     * Queues one line, never waiting for the network; an UncheckedIOException when the browser went away or stopped
     * reading (to stop work nobody will see).
     */
    public void send(Object message) {
        byte[] line = (Json.write(message) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            if (gone == null && closing) gone = "the stream is closed";
            if (gone == null && pendingBytes > 0 && pendingBytes + line.length > MAX_PENDING_BYTES) {
                gone = "the browser stopped reading: " + pendingBytes + " bytes were still waiting to be sent";
                pending.clear();
                pendingBytes = 0;
                notifyAll();
            }
            if (gone != null) throw new UncheckedIOException(gone, new IOException(gone));
            pending.addLast(line);
            pendingBytes += line.length;
            notifyAll();
        }
    }

    /** Queues one line if the browser is still there and reading; false when not (the work goes on, its result is saved). */
    public boolean trySend(Object message) {
        try {
            send(message);
            return true;
        } catch (UncheckedIOException gone) {
            return false;
        }
    }

    /** Bytes queued and not yet written. */
    public synchronized long pendingBytes() {
        return pendingBytes;
    }

    /** Writes the lines still waiting, then returns (after at most a minute, when the client does not read them). */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            notifyAll();
        }
        try {
            writer.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The writer thread: one line after another, flushed whenever nothing more is waiting. */
    private void write() {
        while (true) {
            byte[] line;
            boolean last;
            synchronized (this) {
                while (pending.isEmpty() && !closing && gone == null) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (gone != null || pending.isEmpty()) return;          // given up, or closed and all written
                line = pending.removeFirst();
                last = pending.isEmpty();
            }
            try {
                out.write(line);
                if (last) out.flush();
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    if (gone == null) gone = "the browser went away";
                    pending.clear();
                    pendingBytes = 0;
                }
                return;
            }
            synchronized (this) {
                pendingBytes = Math.max(0, pendingBytes - line.length);   // 0 already when the stream was given up meanwhile
            }
        }
    }
}
