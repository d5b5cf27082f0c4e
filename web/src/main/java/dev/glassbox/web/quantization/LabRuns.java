package dev.glassbox.web.quantization;

import dev.glassbox.tinymodels.ModelEntry;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The quantization lab runs of the server, bounded the way training runs are: at most one per learner, and at most
 * {@code slots} going at once, all learners together (each keeps a core busy for a few seconds to a minute). A run
 * that ended stays readable for {@code keep}, then is forgotten when the learner next asks.
 */
public final class LabRuns {
    /** This learner already has a lab run going (409). */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning(String message) { super(message); }
    }

    /** Every lab slot of the server is taken (503). */
    public static final class Full extends RuntimeException {
        Full(String message) { super(message); }
    }

    private final int slots;
    private final Duration keep;
    private final Map<String, LabRun> byLearner = new ConcurrentHashMap<>();
    private int active;

    public LabRuns(int slots, Duration keep) {
        if (slots < 1) throw new IllegalArgumentException("lab slots must be at least 1, got " + slots);
        if (keep.isNegative() || keep.isZero()) throw new IllegalArgumentException("keep must be positive, got " + keep);
        this.slots = slots;
        this.keep = keep;
    }

    /**
     * Starts the lab for the page of {@code model} on {@code entry} for this learner, replacing the learner's previous run if it has ended.
     *
     * @param files the size of the GGUF file of each variant the catalog holds, by type name
     * @throws AlreadyRunning when the learner's previous run is still going
     * @throws Full           when {@code slots} runs are going already
     */
    synchronized LabRun start(String learnerId, String model, ModelEntry entry, Map<String, Long> files) {
        LabRun previous = byLearner.get(learnerId);
        if (previous != null && previous.active()) {
            throw new AlreadyRunning("You already have a quantization lab running (on " + previous.model()
                    + "): wait for it to finish, one run at a time per learner.");
        }
        if (active >= slots) {
            throw new Full("The server is running " + active + " quantization lab" + (active == 1 ? "" : "s") + " already, the most it runs at once ("
                    + slots + "). Try again in a minute.");
        }
        active++;
        LabRun run = new LabRun(model, entry, files, this::ended);
        byLearner.put(learnerId, run);
        try {
            run.start();
        } catch (RuntimeException | Error e) {
            ended();
            byLearner.remove(learnerId, run);
            throw e;
        }
        return run;
    }

    /** The learner's run (going, or ended less than {@code keep} ago). */
    Optional<LabRun> current(String learnerId) {
        LabRun run = byLearner.get(learnerId);
        if (run != null && run.endedAgoNanos() > keep.toNanos()) {
            byLearner.remove(learnerId, run);
            return Optional.empty();
        }
        return Optional.ofNullable(run);
    }

    /** Runs going now, all learners together. */
    public synchronized int active() { return active; }

    private synchronized void ended() { active--; }
}
