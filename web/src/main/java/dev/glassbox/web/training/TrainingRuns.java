package dev.glassbox.web.training;

import dev.glassbox.tinymodels.recipes.FineTuneSettings;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.RecipeSettings;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The training runs of the server (models trained from recipes and fine-tuning runs): at most one per learner, and at most {@code slots} going at once, all learners
 * together, so that a class training models still leaves cores for pages and cells. A watchdog stops runs nobody
 * watches and runs that reach the longest time allowed, and forgets ended runs after a while.
 */
public final class TrainingRuns implements AutoCloseable {
    /** This learner already has a run going (409). */
    public static final class AlreadyRunning extends RuntimeException {
        AlreadyRunning(String message) { super(message); }
    }

    /** Every training slot of the server is taken (503). */
    public static final class Full extends RuntimeException {
        Full(String message) { super(message); }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration WATCH_EVERY = Duration.ofSeconds(2);

    private final int slots;
    private final TrainingLimits limits;
    private final Map<String, BackgroundRun> byLearner = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog;
    private int active;

    public TrainingRuns(int slots, TrainingLimits limits) {
        if (slots < 1) throw new IllegalArgumentException("training slots must be at least 1, got " + slots);
        this.slots = slots;
        this.limits = limits;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("training-watchdog").unstarted(r));
        watchdog.scheduleWithFixedDelay(this::watch, WATCH_EVERY.toMillis(), WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    public TrainingLimits limits() { return limits; }

    public int slots() { return slots; }

    /**
     * Starts a run of {@code recipe} with {@code settings} (already checked against the recipe's limits) for this
     * learner; it replaces the learner's previous run if that one has ended.
     *
     * @throws AlreadyRunning when the learner's previous run is still going
     * @throws Full           when {@link #slots()} runs are going already
     */
    public synchronized LearnerRun start(String learnerId, Recipe recipe, RecipeSettings settings) {
        return launch(learnerId, runId -> new LearnerRun(runId, learnerId, recipe, settings, this::ended), LearnerRun::start);
    }

    /**
     * Starts fine-tuning the model in {@code baseFolder} (catalog id {@code baseId}) for this learner, in a training
     * slot like {@link #start}; the same one-run-per-learner rule holds across both kinds.
     *
     * @throws AlreadyRunning when the learner's previous run is still going
     * @throws Full           when {@link #slots()} runs are going already
     */
    public synchronized FineTuneJob startFineTune(String learnerId, Path baseFolder, String baseId, FineTuneSettings settings) {
        return launch(learnerId, runId -> new FineTuneJob(runId, learnerId, baseFolder, baseId, settings, this::ended), FineTuneJob::start);
    }

    private <R extends BackgroundRun> R launch(String learnerId, Function<String, R> make, Consumer<R> start) {
        BackgroundRun previous = byLearner.get(learnerId);
        if (previous != null && previous.state().active()) {
            throw new AlreadyRunning("You already have a training run going (" + previous.busyText()
                    + "): stop it first, one run at a time per learner.");
        }
        if (active >= slots) {
            throw new Full("The server is training " + active + " model" + (active == 1 ? "" : "s") + " already, the most it runs at once ("
                    + slots + ", so that pages and cells stay quick). Try again in a few minutes.");
        }
        active++;
        R run = make.apply(HexFormat.of().formatHex(randomBytes()));
        byLearner.put(learnerId, run);
        try {
            start.accept(run);
        } catch (RuntimeException | Error e) {                     // no thread: give the slot back
            ended();
            byLearner.remove(learnerId, run);
            throw e;
        }
        return run;
    }

    /** The learner's current run (going, or ended and not yet forgotten). */
    public Optional<LearnerRun> current(String learnerId) {
        return byLearner.get(learnerId) instanceof LearnerRun run ? Optional.of(run) : Optional.empty();
    }

    /** The learner's current fine-tuning run (going, or ended and not yet forgotten). */
    public Optional<FineTuneJob> currentFineTune(String learnerId) {
        return byLearner.get(learnerId) instanceof FineTuneJob job ? Optional.of(job) : Optional.empty();
    }

    /** Runs going now, all learners together. */
    public synchronized int active() {
        return active;
    }

    private synchronized void ended() {
        active--;
    }

    /** Stops runs that nobody watches or that ran too long; forgets runs that ended long ago. */
    void watch() {
        for (BackgroundRun run : byLearner.values()) {
            if (run.state().active()) {
                if (run.ageNanos() > limits.maxWallTime().toNanos()) run.stop(LearnerRun.StopReason.WALL_TIME);
                else if (run.unwatchedNanos() > limits.idleStop().toNanos()) run.stop(LearnerRun.StopReason.IDLE);
            } else if (run.endedAgoNanos() > limits.keepFinished().toNanos()) {
                byLearner.remove(run.learnerId(), run);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Stops every run and waits up to a few seconds for them to end (a step of a large run may take a while). */
    @Override
    public void close() {
        watchdog.shutdownNow();
        byLearner.values().forEach(run -> run.stop(LearnerRun.StopReason.SERVER));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (active() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
