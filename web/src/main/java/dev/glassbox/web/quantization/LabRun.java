package dev.glassbox.web.quantization;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.quantization.QuantizationLab;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.QuantizationInputs;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One learner's run of the quantization lab on one model: {@link QuantizationLab#run} on a background thread of
 * its own, at low priority and with its kernels on that thread; request threads only read its progress and report.
 */
final class LabRun {
    private static final Logger LOG = Logger.getLogger(LabRun.class.getName());
    /** The variants the page compares with F32. */
    static final List<DType> TYPES = List.of(DType.Q8_0, DType.Q4_0);

    enum State {
        RUNNING, FINISHED, FAILED;

        String id() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * What the page shows: the progress while it runs, then the report.
     *
     * @param source the catalog model the lab quantized (a GGUF export's page quantizes the weights it came from)
     * @param done  steps done of {@code total} (tensor errors, then loading and measuring each variant)
     * @param step  what it is doing now
     */
    record View(String model, String source, String state, boolean active, int done, int total, String step, double elapsedSeconds,
                String error, QuantizationLab.Report report, Map<String, Long> files) {}

    private final String model;
    private final ModelEntry entry;
    private final Map<String, Long> files;
    private final Runnable onEnd;
    private final long startedNanos = System.nanoTime();
    private volatile State state = State.RUNNING;
    private volatile QuantizationLab.Progress progress = new QuantizationLab.Progress(0, 1 + 2 * TYPES.size(), "starting");
    private volatile QuantizationLab.Report report;
    private volatile String error;
    private volatile long endedNanos;

    /**
     * The lab for the page of {@code model}, run on {@code entry} (the same model, or the F32 weights a GGUF export of it
     * came from). {@code files}: the GGUF file of each variant the catalog has, with its size in bytes, by type name.
     */
    LabRun(String model, ModelEntry entry, Map<String, Long> files, Runnable onEnd) {
        this.model = model;
        this.entry = entry;
        this.files = Map.copyOf(files);
        this.onEnd = onEnd;
    }

    void start() {
        Thread.ofPlatform().name("quantization-lab-" + entry.id()).daemon(true).priority(Thread.MIN_PRIORITY).start(() -> {
            try {
                Kernels.onCallingThreadOnly(this::work);
            } finally {
                endedNanos = System.nanoTime();
                onEnd.run();
            }
        });
    }

    private void work() {
        try {
            report = QuantizationLab.run(entry.file(), TYPES, QuantizationInputs.of(entry), p -> progress = p);
            state = State.FINISHED;
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, "quantization lab on " + entry.id() + " failed", e);
            error = e.getMessage() != null ? e.getMessage() : e.toString();
            state = State.FAILED;
        }
    }

    String model() { return model; }

    boolean active() { return state == State.RUNNING; }

    /** Nanoseconds since the run ended; 0 while it goes on. */
    long endedAgoNanos() { return active() || endedNanos == 0 ? 0 : System.nanoTime() - endedNanos; }

    View view() {
        State s = state;
        QuantizationLab.Progress p = progress;
        double elapsed = ((s == State.RUNNING || endedNanos == 0 ? System.nanoTime() : endedNanos) - startedNanos) / 1e9;
        return new View(model, entry.id(), s.id(), s == State.RUNNING, p.done(), p.total(), p.step(), elapsed, error,
                s == State.FINISHED ? report : null, files);
    }
}
