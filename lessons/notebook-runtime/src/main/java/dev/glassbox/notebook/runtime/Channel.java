package dev.glassbox.notebook.runtime;

import dev.glassbox.notebook.protocol.KernelMessage;
import dev.glassbox.notebook.protocol.Output;
import dev.glassbox.notebook.protocol.Wire;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kernel's line to the server (its real standard output), and the bookkeeping of the request
 * being served: which request an output belongs to and how many bytes the cell has sent so far.
 * Cells reach it through {@code System.out}, {@code System.err} and {@code Display}.
 */
public final class Channel {
    private static volatile Channel current;

    private final PrintStream wire;
    private final List<StreamCapture> streams = new CopyOnWriteArrayList<>();
    private final long outputCap;
    private long requestId;
    private boolean hidden;
    private long sent;
    private boolean truncated;
    private volatile boolean muted;

    Channel(PrintStream wire, long outputCap) {
        this.wire = wire;
        this.outputCap = outputCap;
    }

    static void install(Channel channel) {
        current = channel;
    }

    /** The channel of this kernel, or null when running outside a kernel (e.g. in a unit test). */
    public static Channel current() {
        return current;
    }

    void capture(StreamCapture stream) {
        streams.add(stream);
    }

    /** Sends a display output after any text printed before it, so the page shows them in order. */
    public void display(Output.DisplayData display) {
        for (StreamCapture s : streams) s.drain();
        emit(display);
    }

    synchronized void send(KernelMessage message) {
        String line = Wire.encode(message);
        if (muted) return;
        wire.println(line);
        wire.flush();
    }

    /** While muted (the kernel's warm-up), messages are encoded as usual but not sent. */
    void mute(boolean muted) {
        this.muted = muted;
    }

    /** Starts attributing outputs to request {@code id}; a hidden request (a check) only reports errors. */
    synchronized void begin(long id, boolean hidden) {
        this.requestId = id;
        this.hidden = hidden;
        this.sent = 0;
        this.truncated = false;
    }

    /** Sends one output of the current request, unless the cell is over its output cap. */
    public synchronized void emit(Output output) {
        if (hidden && !(output instanceof Output.Error)) return;
        long weight = output.weight();
        if (!(output instanceof Output.Error) && sent + weight > outputCap) {
            if (!truncated) {
                truncated = true;
                send(new KernelMessage.Emitted(requestId, new Output.Stream("stderr",
                        "\n[output truncated: this cell printed more than " + outputCap / 1024 + " KB]\n")));
            }
            return;
        }
        sent += weight;
        send(new KernelMessage.Emitted(requestId, output));
    }

    synchronized long requestId() {
        return requestId;
    }
}
