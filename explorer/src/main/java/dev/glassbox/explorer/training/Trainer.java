package dev.glassbox.explorer.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The training loop: each step takes the batch of that step from the {@link BatchSource}, computes the loss and
 * gradients, clips them to a global norm, and lets AdamW update the weights at the schedule's rate. A listener hears
 * about every step; {@link #stop} (from any thread) ends {@link #run} between two steps, so a page can run training
 * in the background and stop it. Same seed, data and settings give the same weights bit for bit, on 1 or 2 threads,
 * and a run resumed from a {@link Checkpoint} continues exactly as if it had not stopped.
 */
public final class Trainer {
    /** How to train: the rate by step, AdamW's settings, the clipping norm (0 = none) and the seed the weights started from. */
    public record Settings(Schedule schedule, AdamW.Settings adam, double maxGradNorm, long seed) {
        public Settings {
            if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max gradient norm >= 0 expected, found " + maxGradNorm);
        }
    }

    /** What one step did: {@code step} steps are done now; tokens/s counts every position of the batch. */
    public record Progress(int step, float loss, float learningRate, double gradNorm, double tokensPerSecond) {}

    @FunctionalInterface
    public interface Listener {
        void afterStep(Progress progress);
    }

    /** What a step minimises on a batch, adding its gradients into the model; returns the loss. */
    @FunctionalInterface
    public interface Objective {
        float lossAndGradients(TrainableLlama model, Batch batch);
    }

    /** Next-token cross-entropy against the batch's targets: the default objective. */
    public static final Objective CROSS_ENTROPY = (model, b) -> model.lossAndGradients(b.tokens(), b.targets(), b.batch(), b.seqLen());

    private final TrainableLlama model;
    private Objective objective = CROSS_ENTROPY;
    private final BatchSource source;
    private final Settings settings;
    private final AdamW optimizer;
    private int step;
    private volatile boolean stopRequested;

    /**
     * A trainer for a model as it is (initialised or loaded by the caller), from step 0. It updates the model's
     * {@link TrainableLlama#trainableParameters()} as they are now: attach a LoRA adapter before, not after.
     */
    public Trainer(TrainableLlama model, BatchSource source, Settings settings) {
        this(model, source, settings, new AdamW(model.trainableParameters(), settings.adam()), 0);
    }

    Trainer(TrainableLlama model, BatchSource source, Settings settings, AdamW optimizer, int step) {
        this.model = model;
        this.source = source;
        this.settings = settings;
        this.optimizer = optimizer;
        this.step = step;
    }

    /** A new model of this shape, initialised from settings.seed() ({@link TrainableLlama#initialize}), ready to train. */
    public static Trainer fresh(LlamaConfig config, BatchSource source, Settings settings) {
        TrainableLlama model = new TrainableLlama(config);
        model.initialize(settings.seed());
        return new Trainer(model, source, settings);
    }

    /** Continues the run saved in a checkpoint folder, with the same batch source. */
    public static Trainer resume(Path dir, BatchSource source) throws IOException {
        return Checkpoint.read(dir, source);
    }

    public TrainableLlama model() { return model; }

    public Settings settings() { return settings; }

    AdamW optimizer() { return optimizer; }

    /** Trains on another objective from the next step on (distillation: the teacher's softened distribution). */
    public void objective(Objective objective) {
        if (objective == null) throw new IllegalArgumentException("an objective expected, found null");
        this.objective = objective;
    }

    /** Steps done so far. */
    public int step() { return step; }

    /** One training step; returns what it did. */
    public Progress step(Listener listener) {
        long start = System.nanoTime();
        Batch batch = source.next(step);
        model.zeroGradients();
        float loss = objective.lossAndGradients(model, batch);
        double norm = GradientClipping.clip(optimizer.parameters(), settings.maxGradNorm());
        float lr = settings.schedule().rate(step);
        optimizer.step(lr);
        step++;
        double seconds = (System.nanoTime() - start) / 1e9;
        Progress progress = new Progress(step, loss, lr, norm, batch.tokens().length / Math.max(seconds, 1e-9));
        if (listener != null) listener.afterStep(progress);
        return progress;
    }

    /**
     * Trains until {@code untilStep} steps are done or {@link #stop} is called; returns the steps done by this call.
     * A stop request is consumed: the next run starts again.
     */
    public int run(int untilStep, Listener listener) {
        int done = 0;
        try {
            while (step < untilStep && !stopRequested) {
                step(listener);
                done++;
            }
        } finally {
            stopRequested = false;
        }
        return done;
    }

    /** Asks {@link #run} to return after the step in progress; safe from any thread. */
    public void stop() { stopRequested = true; }

    /** Writes the model, the optimiser's moments and the loop's state into {@code dir} (see {@link Checkpoint}). */
    public void save(Path dir) throws IOException {
        Checkpoint.write(dir, this);
    }
}
