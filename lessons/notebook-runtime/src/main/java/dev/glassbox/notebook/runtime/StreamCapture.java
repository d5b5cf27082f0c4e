package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.Output;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a cell writes to {@code System.out} or {@code System.err}: bytes are gathered and sent as
 * "stream" outputs every few milliseconds (or sooner when a lot piles up), cut only between whole
 * UTF-8 characters.
 */
final class StreamCapture extends OutputStream {
    private static final int EAGER_FLUSH_BYTES = 16 * 1024;

    private final String name;
    private final Channel channel;
    private byte[] buffer = new byte[1024];
    private int length;

    StreamCapture(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
        channel.capture(this);
    }

    @Override
    public synchronized void write(int b) {
        ensure(1);
        buffer[length++] = (byte) b;
        if (length >= EAGER_FLUSH_BYTES) drain();
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int count) {
        while (count > 0) {
            int chunk = Math.min(count, EAGER_FLUSH_BYTES);
            ensure(chunk);
            System.arraycopy(bytes, offset, buffer, length, chunk);
            length += chunk;
            offset += chunk;
            count -= chunk;
            if (length >= EAGER_FLUSH_BYTES) drain();
        }
    }

    /** Sends what has been written so far (the flusher thread and the end of each cell call this). */
    synchronized void drain() {
        int whole = wholeCharacters(buffer, length);
        if (whole == 0) return;
        String text = new String(buffer, 0, whole, StandardCharsets.UTF_8);
        System.arraycopy(buffer, whole, buffer, 0, length - whole);
        length -= whole;
        channel.emit(new Output.Stream(name, text));
    }

    /** Drops a partial character left at the end of a cell. */
    synchronized void reset() {
        length = 0;
    }

    private void ensure(int extra) {
        if (length + extra > buffer.length) buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
    }

    /** Length of the longest prefix that does not end inside a UTF-8 sequence. */
    static int wholeCharacters(byte[] bytes, int length) {
        for (int back = 1; back <= Math.min(3, length); back++) {
            int b = bytes[length - back] & 0xFF;
            if ((b & 0xC0) == 0x80) continue;              // continuation byte: keep looking for the lead
            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? length - back : length;
        }
        return length;
    }
}
