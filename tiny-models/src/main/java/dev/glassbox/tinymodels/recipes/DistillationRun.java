package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.models.Llama;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.explorer.training.AdamW;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.training.DistillationLoss;
import dev.glassbox.explorer.training.LlamaConfig;
import dev.glassbox.explorer.training.Schedule;
import dev.glassbox.explorer.training.TrainableLlama;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.data.Stories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Distilling a story model: a smaller student Llama, from random weights, learns the teacher's softened next-token
 * distribution on the plain stories the teacher was trained on ({@link DistillationLoss}: T^2 KL(softmax(teacher/T) ||
 * softmax(student/T)), optionally mixed with the hard-label cross-entropy). {@link #compare()} then measures what the
 * learner came for: size, greedy decode speed and held-out loss of teacher and student.
 *
 * <pre>{@code
 * DistillationRun run = new DistillationRun(Path.of(".../tiny-stories"), DistillationRun.Settings.QUICK);
 * run.run((step, heldOut) -> System.out.println(step + " " + heldOut));
 * System.out.println(run.compare());
 * }</pre>
 */
public final class DistillationRun {
    /** Hears the student's held-out loss at step 0, every tenth of the run and at the end. */
    @FunctionalInterface
    public interface Listener {
        void onEvaluation(int step, float studentHeldOutLoss);
    }

    /**
     * The student's shape and its training: {@code steps} AdamW steps of {@code batch} windows of {@code seqLen}
     * tokens, warm-up over a tenth of the steps and a cosine to a tenth of the peak rate.
     *
     * @param temperature T of the softened distributions
     * @param hardWeight  the weight of the hard-label cross-entropy (0: the teacher's distribution alone)
     */
    public record Settings(int layers, int dModel, int heads, int kvHeads, int dMlp, int steps, float learningRate, int batch,
                           int seqLen, float temperature, float hardWeight, long seed) {
        /** A 2-layer student of width 96 (about a fifth of tiny-stories), 120 steps: well under a minute. */
        public static final Settings QUICK = new Settings(2, 96, 4, 2, 256, 120, 3e-3f, 4, 128, 2f, 0f, 7);

        public Settings {
            if (steps < 1 || steps > 5000 || batch < 1 || batch > 16 || seqLen < 16 || seqLen > 256) {
                throw new IllegalArgumentException("steps in [1, 5000], batch in [1, 16], seqLen in [16, 256] expected, found "
                        + steps + ", " + batch + ", " + seqLen);
            }
            if (!(learningRate > 0 && learningRate <= 0.1f)) throw new IllegalArgumentException("learningRate in (0, 0.1] expected, found " + learningRate);
        }

        public Settings withSteps(int steps) {
            return new Settings(layers, dModel, heads, kvHeads, dMlp, steps, learningRate, batch, seqLen, temperature, hardWeight, seed);
        }
    }

    /** Teacher against student: parameters, bytes of model.safetensors, greedy decode tokens/s, held-out loss (nats/token). */
    public record Comparison(long teacherParameters, long studentParameters, long teacherBytes, long studentBytes,
                             double teacherTokensPerSecond, double studentTokensPerSecond, float teacherLoss, float studentLoss) {
        public double sizeRatio() { return (double) teacherParameters / studentParameters; }

        public double speedRatio() { return studentTokensPerSecond / teacherTokensPerSecond; }
    }

    private final Path teacherFolder;
    private final Settings settings;
    private final TrainableLlama teacher, student;
    private final Trainer trainer;
    private final Batch held;
    private final int[] prompt;                                    // the opening decode speed is measured after
    private final List<float[]> evaluations = new CopyOnWriteArrayList<>();   // (step, student held-out loss); read from any thread

    public DistillationRun(Path teacherFolder, Settings settings) throws IOException {
        String why = FineTuneRun.whyNotFineTunable(teacherFolder);
        if (why != null) throw new IllegalArgumentException(teacherFolder.getFileName() + ": " + why);
        this.teacherFolder = teacherFolder;
        this.settings = settings;
        this.teacher = TrainableLlama.load(teacherFolder);
        LlamaConfig t = teacher.config();
        LlamaConfig shape = new LlamaConfig(t.vocab(), settings.dModel(), settings.layers(), settings.heads(), settings.kvHeads(),
                settings.dMlp(), t.context(), t.ropeTheta(), t.rmsEps(), false);
        this.student = new TrainableLlama(shape);
        student.initialize(settings.seed());
        Tokenizer tokenizer = Tokenizer.fromFile(teacherFolder.resolve("tokenizer.json"));   // the story tokenizer (checked above)
        RecipeBatches batches = new RecipeBatches(Recipe.TINY_STORIES, tokenizer, Stories.plain(), settings.batch(), settings.seqLen());
        this.trainer = new Trainer(student, batches, new Trainer.Settings(
                new Schedule(settings.learningRate(), settings.learningRate() / 10, Math.max(1, settings.steps() / 10), settings.steps()),
                AdamW.Settings.DEFAULT, 1.0, settings.seed()));
        trainer.objective((model, b) -> {
            float[] soft = teacher.logits(b.tokens(), b.batch(), b.seqLen());            // (batch*seqLen, vocab)
            return model.lossAndGradients(b.tokens(), b.batch(), b.seqLen(),
                    new DistillationLoss(soft, settings.temperature(), settings.hardWeight(), b.targets()));
        });
        this.held = FineTuneRun.heldOut(tokenizer, Stories.plain(), settings.seqLen());
        this.prompt = tokenizer.encode(Stories.END_OF_TEXT + "Once upon a time", false).ids();
    }

    public Settings settings() { return settings; }

    public TrainableLlama teacher() { return teacher; }

    public TrainableLlama student() { return student; }

    public int stepsDone() { return trainer.step(); }

    /** (step, student held-out loss) of every evaluation so far; safe to call from any thread while it runs. */
    public List<float[]> evaluations() { return List.copyOf(evaluations); }

    /** Distils for the settings' steps; evaluates the student at step 0, every tenth of the run and at the end. */
    public void run(Listener listener) {
        int every = Math.max(1, settings.steps() / 10);
        stopRequested = false;
        if (evaluations.isEmpty()) evaluate(listener);
        while (trainer.step() < settings.steps() && !stopRequested) {
            trainer.step(null);
            if (trainer.step() % every == 0 || trainer.step() == settings.steps()) evaluate(listener);
        }
        if (evaluations.getLast()[0] != trainer.step()) evaluate(listener);
    }

    private void evaluate(Listener listener) {
        float loss = heldOutLoss(student);
        evaluations.add(new float[] {trainer.step(), loss});
        listener.onEvaluation(trainer.step(), loss);
    }

    private volatile boolean stopRequested;

    /** Asks {@link #run} to return after the step in progress (it evaluates the student first); safe from any thread. */
    public void stop() { stopRequested = true; }

    /** A model's mean cross-entropy on the held-out plain stories (the same windows for teacher and student). */
    public float heldOutLoss(TrainableLlama model) {
        return model.loss(held.tokens(), held.targets(), held.batch(), held.seqLen());
    }

    /** Writes the student as a Llama folder (config.json, model.safetensors, the teacher's tokenizer.json). */
    public Path saveStudent(Path dir) throws IOException {
        student.save(dir);
        Files.copy(teacherFolder.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    /** Size, greedy decode speed ({@value #DECODED} tokens after a prompt, Glassbox's inference with a KV cache, best of 3) and held-out loss of both. */
    public Comparison compare() throws IOException {
        Path dir = Files.createTempDirectory("glassbox-student");
        try {
            saveStudent(dir);
            double teacherSpeed = decodeSpeed(teacherFolder, prompt), studentSpeed = decodeSpeed(dir, prompt);
            return new Comparison(teacher.parameterCount(), student.parameterCount(), Files.size(teacherFolder.resolve("model.safetensors")),
                    Files.size(dir.resolve("model.safetensors")), teacherSpeed, studentSpeed, heldOutLoss(teacher), heldOutLoss(student));
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Tokens decoded per speed measurement. */
    static final int DECODED = 48;

    private static double decodeSpeed(Path folder, int[] prompt) throws IOException {
        try (Llama llama = Llama.load(folder)) {
            double best = 0;
            for (int r = 0; r < 3; r++) {
                long start = System.nanoTime();
                int[] out = llama.greedy(prompt, DECODED);
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.max(best, out.length / seconds);
            }
            return best;
        }
    }

    @Override public String toString() {
        return "DistillationRun" + Arrays.toString(new int[] {settings.layers(), settings.dModel()}) + " at step " + trainer.step();
    }
}
