package dev.glassbox.web.training;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.RecipeSettings;
import dev.glassbox.tinymodels.recipes.TrainingRun;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One learner's training run on the server: a {@link TrainingRun} on a background thread of its own, at low
 * priority and with its kernels on that one thread, and what the page shows of it (loss curve, held-out
 * losses, samples, progress, time left). Request threads only read it, ask it to stop, and save it once it ended.
 */
final class LearnerRun implements BackgroundRun {
    private static final Logger LOG = Logger.getLogger(LearnerRun.class.getName());
    /** Samples the page shows (the latest ones). */
    static final int SAMPLES = 12;

    /** Where a run stands; the first three are "active" (it holds a training slot). */
    enum State {
        PREPARING, RUNNING, STOPPING, FINISHED, STOPPED, FAILED;

        boolean active() {
            return this == PREPARING || this == RUNNING || this == STOPPING;
        }

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a run was stopped before its last step, in words for the page. */
    enum StopReason {
        LEARNER("you stopped it"),
        IDLE("nobody watched it for a while, so the server stopped it"),
        WALL_TIME("it reached the longest time a run may take on this server"),
        SERVER("the server is shutting down");

        final String text;

        StopReason(String text) {
            this.text = text;
        }
    }

    /** A generation the run made at {@code step}: the model's continuation of {@code prompt}. */
    record Sample(int step, String prompt, String text) {}

    /**
     * What the page shows; numbers not known yet are null (JSON has no NaN).
     *
     * @param train   the training loss, {@code [step, loss]}, averaged down to at most the limit's points
     * @param heldOut the loss on held-out data, {@code [step, loss]}, at each evaluation
     */
    record View(String runId, String recipe, String recipeTitle, RecipeSettings settings, String state, boolean active,
                String stopReason, String error, int stepsDone, int steps, Long parameters, double elapsedSeconds,
                Double etaSeconds, Double tokensPerSecond, Float loss, Float heldOutLoss, List<float[]> train,
                List<float[]> heldOut, List<Sample> samples, boolean saveable, String savedId, String savedName) {}

    private final String runId;
    private final String learnerId;
    private final Recipe recipe;
    private final RecipeSettings settings;
    private final Runnable onEnd;
    private final long startedNanos = System.nanoTime();
    private final LossCurve curve = new LossCurve();
    private final List<float[]> heldOut = new ArrayList<>();
    private final List<Sample> samples = new ArrayList<>();
    private volatile State state = State.PREPARING;
    private volatile StopReason stopReason;
    private volatile String error;
    private volatile TrainingRun training;
    private volatile long runningSinceNanos;
    private volatile long endedNanos;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile double tokensPerSecond = Double.NaN;   // a moving average: one step's figure jumps about
    private volatile int stepsDone;
    private String savedId;
    private String savedName;

    /** {@code onEnd} runs on the run's thread once it has ended, however it ended. */
    LearnerRun(String runId, String learnerId, Recipe recipe, RecipeSettings settings, Runnable onEnd) {
        this.runId = runId;
        this.learnerId = learnerId;
        this.recipe = recipe;
        this.settings = settings;
        this.onEnd = onEnd;
    }

    @Override
    public String busyText() {
        return recipe.id() + ", step " + stepsDone + " of " + settings.steps();
    }

    /** Starts the run's thread. */
    void start() {
        Thread.ofPlatform().name("training-" + recipe.id() + "-" + runId).daemon(true).priority(Thread.MIN_PRIORITY).start(() -> {
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
            TrainingRun run = new TrainingRun(recipe, settings);       // data, tokenizer and model: a second or two for stories
            training = run;
            if (stopReason != null) {                                  // stopped while it was being built
                state = State.STOPPED;
                return;
            }
            state = State.RUNNING;
            runningSinceNanos = System.nanoTime();
            run.run(new TrainingRun.Listener() {
                @Override
                public void onStep(Trainer.Progress progress) {
                    curve.add(progress.loss());
                    stepsDone = progress.step();
                    double t = tokensPerSecond;
                    tokensPerSecond = Double.isNaN(t) ? progress.tokensPerSecond() : 0.9 * t + 0.1 * progress.tokensPerSecond();
                }

                @Override
                public void onEvaluation(int step, float heldOutLoss) {
                    synchronized (heldOut) {
                        heldOut.add(new float[] {step, heldOutLoss});
                    }
                }

                @Override
                public void onSample(int step, String prompt, String text) {
                    synchronized (samples) {
                        samples.add(new Sample(step, prompt, text));
                        if (samples.size() > SAMPLES) samples.removeFirst();
                    }
                }
            });
            stepsDone = run.stepsDone();
            state = stopReason != null && stepsDone < settings.steps() ? State.STOPPED : State.FINISHED;
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "training run " + runId + " (" + recipe.id() + ") failed", e);
            error = e.getMessage() != null ? e.getMessage() : e.toString();
            state = State.FAILED;
        }
    }

    /** Asks the run to end after the step in progress (the first reason given is kept). */
    @Override
    public void stop(StopReason reason) {
        if (!state.active()) return;
        if (stopReason == null) stopReason = reason;
        if (state != State.PREPARING) state = State.STOPPING;
        TrainingRun run = training;
        if (run != null) run.stop();
    }

    /** The learner's page looked at the run now. */
    void touch() {
        lastSeenNanos = System.nanoTime();
    }

    String runId() { return runId; }

    @Override public String learnerId() { return learnerId; }

    @Override public State state() { return state; }

    /** Nanoseconds since the page last looked at the run. */
    @Override public long unwatchedNanos() { return System.nanoTime() - lastSeenNanos; }

    /** Nanoseconds since the run started. */
    @Override public long ageNanos() { return System.nanoTime() - startedNanos; }

    /** Nanoseconds since the run ended; 0 while it goes on. */
    @Override public long endedAgoNanos() { return state.active() || endedNanos == 0 ? 0 : System.nanoTime() - endedNanos; }

    /** Why it cannot be saved now, or null when it can. */
    @Override
    public synchronized String whyNotSaveable() {
        if (state.active()) return "The run is still going: stop it, or wait for it to finish, then save it.";
        if (savedId != null) return "This run is already saved as \"" + savedId + "\"; start a new run to save another model.";
        if (state == State.FAILED) return "The run failed (" + error + "), so there is no model to save.";
        if (training == null || stepsDone == 0) return "The run stopped before its first step, so there is no trained model to save.";
        return null;
    }

    /**
     * Writes the trained model into {@code dir/id} (see {@link TrainingRun#save}) and remembers it was saved;
     * an IllegalStateException with {@link #whyNotSaveable()} when it cannot be saved now.
     */
    @Override
    public synchronized Path save(Path dir, String id, String name) throws IOException {
        String why = whyNotSaveable();
        if (why != null) throw new IllegalStateException(why);
        Path[] folder = new Path[1];
        IOException[] failed = new IOException[1];
        Kernels.onCallingThreadOnly(() -> {                      // its held-out report and samples leave the pool to requests
            try {
                folder[0] = training.save(dir, id, name);
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) throw failed[0];
        savedId = id;
        savedName = name;
        return folder[0];
    }

    synchronized View view(int maxPoints) {
        long now = System.nanoTime();
        State s = state;
        int done = stepsDone;
        double elapsed = ((s.active() || endedNanos == 0 ? now : endedNanos) - startedNanos) / 1e9;
        Double eta = null;
        if (s == State.RUNNING && done > 0) {
            double perStep = (now - runningSinceNanos) / 1e9 / done;
            eta = perStep * (settings.steps() - done);
        }
        List<float[]> held;
        synchronized (heldOut) {
            held = thin(heldOut, maxPoints);
        }
        List<Sample> shown;
        synchronized (samples) {
            shown = List.copyOf(samples);
        }
        TrainingRun run = training;
        float lastHeld = held.isEmpty() ? Float.NaN : held.getLast()[1];
        return new View(runId, recipe.id(), recipe.title(), settings, s.id(), s.active(),
                stopReason == null ? null : stopReason.text, error, done, settings.steps(),
                run == null ? null : run.parameterCount(), elapsed, eta,
                Double.isNaN(tokensPerSecond) ? null : tokensPerSecond, orNull(curve.last()), orNull(lastHeld),
                curve.points(maxPoints), held, shown, whyNotSaveable() == null, savedId, savedName);
    }

    /** Every k-th point (and the last) so that at most {@code max} remain. */
    private static List<float[]> thin(List<float[]> points, int max) {
        if (points.size() <= max) return List.copyOf(points);
        int every = (points.size() + max - 2) / (max - 1);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < points.size() - 1; i += every) out.add(points.get(i));
        out.add(points.getLast());
        return out;
    }

    private static Float orNull(float value) {
        return Float.isNaN(value) ? null : value;
    }
}
