package dev.glassbox.web.training;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.Projection;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.recipes.FineTuneRun;
import dev.glassbox.tinymodels.recipes.FineTuneSettings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One learner's fine-tuning run on the server (the page {@code /models/{id}/finetune}): a {@link FineTuneRun} on a
 * background thread of its own, at low priority with its kernels on that thread, and what the page shows of it: the
 * training loss, the held-out loss on both story styles, generations before and after, and once it has ended how far
 * each weight tensor moved. Request threads only read it, ask it to stop, and save it once it ended.
 */
final class FineTuneJob implements BackgroundRun {
    private static final Logger LOG = Logger.getLogger(FineTuneJob.class.getName());

    /** A weight tensor and its relative change ||W - W0|| / ||W0||. */
    record Moved(String name, double change) {}

    /**
     * What the page shows; numbers not known yet are null.
     *
     * @param sea   held-out loss on the sea stories, {@code [step, loss]}, at each evaluation
     * @param plain held-out loss on the plain stories (the base model's style), {@code [step, loss]}
     */
    record View(String runId, String baseModel, String method, Map<String, Object> settings, String state, boolean active,
                String stopReason, String error, int stepsDone, int steps, Long parameters, Long trainableParameters,
                double elapsedSeconds, Double etaSeconds, Float loss, List<float[]> train, List<float[]> sea, List<float[]> plain,
                List<FineTuneRun.Generation> generations, List<Moved> movement, boolean saveable, String savedId, String savedName) {}

    private final String runId;
    private final String learnerId;
    private final Path baseFolder;
    private final String baseId;
    private final FineTuneSettings settings;
    private final Runnable onEnd;
    private final long startedNanos = System.nanoTime();
    private final LossCurve curve = new LossCurve();
    private final List<float[]> sea = new ArrayList<>(), plain = new ArrayList<>();   // guarded by themselves
    private volatile LearnerRun.State state = LearnerRun.State.PREPARING;
    private volatile LearnerRun.StopReason stopReason;
    private volatile String error;
    private volatile FineTuneRun run;
    private volatile long runningSinceNanos, endedNanos;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile int stepsDone;
    private volatile List<FineTuneRun.Generation> generations = List.of();
    private volatile List<Moved> movement = List.of();
    private String savedId, savedName;

    FineTuneJob(String runId, String learnerId, Path baseFolder, String baseId, FineTuneSettings settings, Runnable onEnd) {
        this.runId = runId;
        this.learnerId = learnerId;
        this.baseFolder = baseFolder;
        this.baseId = baseId;
        this.settings = settings;
        this.onEnd = onEnd;
    }

    void start() {
        Thread.ofPlatform().name("finetune-" + baseId + "-" + runId).daemon(true).priority(Thread.MIN_PRIORITY).start(() -> {
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
            FineTuneRun r = new FineTuneRun(baseFolder, baseId, settings);      // weights, tokenizer, held-out windows
            run = r;
            if (stopReason != null) {
                state = LearnerRun.State.STOPPED;
                return;
            }
            state = LearnerRun.State.RUNNING;
            runningSinceNanos = System.nanoTime();
            r.run(new FineTuneRun.Listener() {
                @Override
                public void onStep(Trainer.Progress progress) {
                    curve.add(progress.loss());
                    stepsDone = progress.step();
                }

                @Override
                public void onEvaluation(FineTuneRun.Evaluation e) {
                    synchronized (sea) {
                        sea.add(new float[] {e.step(), e.seaLoss()});
                        plain.add(new float[] {e.step(), e.plainLoss()});
                    }
                    if (e.step() == 0) generations = r.generations();             // the base model's, before any step
                }
            });
            stepsDone = r.stepsDone();
            if (stepsDone > 0) {
                generations = r.generations();                                     // before and after
                List<Moved> moved = new ArrayList<>();
                r.movement().forEach((name, change) -> moved.add(new Moved(name, change)));
                movement = moved;
            }
            state = stopReason != null && stepsDone < settings.steps() ? LearnerRun.State.STOPPED : LearnerRun.State.FINISHED;
        } catch (RuntimeException | IOException | Error e) {
            LOG.log(Level.WARNING, "fine-tuning run " + runId + " (" + baseId + ") failed", e);
            error = e.getMessage() != null ? e.getMessage() : e.toString();
            state = LearnerRun.State.FAILED;
        }
    }

    @Override public void stop(LearnerRun.StopReason reason) {
        if (!state.active()) return;
        if (stopReason == null) stopReason = reason;
        if (state != LearnerRun.State.PREPARING) state = LearnerRun.State.STOPPING;
        FineTuneRun r = run;
        if (r != null) r.stop();
    }

    void touch() { lastSeenNanos = System.nanoTime(); }

    String baseId() { return baseId; }

    @Override public String learnerId() { return learnerId; }

    @Override public LearnerRun.State state() { return state; }

    @Override public long unwatchedNanos() { return System.nanoTime() - lastSeenNanos; }

    @Override public long ageNanos() { return System.nanoTime() - startedNanos; }

    @Override public long endedAgoNanos() { return state.active() || endedNanos == 0 ? 0 : System.nanoTime() - endedNanos; }

    @Override public String busyText() {
        return "fine-tuning " + baseId + ", step " + stepsDone + " of " + settings.steps();
    }

    @Override public synchronized String whyNotSaveable() {
        if (state.active()) return "The run is still going: stop it, or wait for it to finish, then save it.";
        if (savedId != null) return "This run is already saved as \"" + savedId + "\"; start a new run to save another model.";
        if (state == LearnerRun.State.FAILED) return "The run failed (" + error + "), so there is no model to save.";
        if (run == null || stepsDone == 0) return "The run stopped before its first step, so there is nothing new to save.";
        return null;
    }

    @Override public synchronized Path save(Path dir, String id, String name) throws IOException {
        String why = whyNotSaveable();
        if (why != null) throw new IllegalStateException(why);
        Path[] folder = new Path[1];
        IOException[] failed = new IOException[1];
        Kernels.onCallingThreadOnly(() -> {
            try {
                folder[0] = run.save(dir, id, name);
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) throw failed[0];
        savedId = id;
        savedName = name;
        return folder[0];
    }

    /** The settings as the page names them. */
    static Map<String, Object> settingsView(FineTuneSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", s.method().id());
        m.put("steps", s.steps());
        m.put("learningRate", s.learningRate());
        m.put("batch", s.batch());
        m.put("seqLen", s.seqLen());
        if (s.lora() != null) {
            m.put("rank", s.lora().rank());
            m.put("alpha", s.lora().alpha());
            m.put("targets", s.lora().orderedTargets().stream().map(Projection::module).toList());
        }
        return m;
    }

    synchronized View view(int maxPoints) {
        long now = System.nanoTime();
        LearnerRun.State s = state;
        int done = stepsDone;
        double elapsed = ((s.active() || endedNanos == 0 ? now : endedNanos) - startedNanos) / 1e9;
        Double eta = null;
        if (s == LearnerRun.State.RUNNING && done > 0) eta = (now - runningSinceNanos) / 1e9 / done * (settings.steps() - done);
        List<float[]> seaPoints, plainPoints;
        synchronized (sea) {
            seaPoints = List.copyOf(sea);
            plainPoints = List.copyOf(plain);
        }
        FineTuneRun r = run;
        float last = curve.last();
        return new View(runId, baseId, settings.method().id(), settingsView(settings), s.id(), s.active(),
                stopReason == null ? null : stopReason.text, error, done, settings.steps(),
                r == null ? null : r.parameterCount(), r == null ? null : r.trainableParameterCount(), elapsed, eta,
                Float.isNaN(last) ? null : last, curve.points(maxPoints), seaPoints, plainPoints, generations, movement,
                whyNotSaveable() == null, savedId, savedName);
    }
}
