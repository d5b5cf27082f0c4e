package dev.glassbox.tinymodels.recipes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.explorer.training.AdamW;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.training.LoraAdapter;
import dev.glassbox.explorer.training.Parameter;
import dev.glassbox.explorer.training.Schedule;
import dev.glassbox.explorer.training.TrainableLlama;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.Stories;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fine-tuning a story model Glassbox trained ({@code tiny-stories}, or a model made from it) on the second story
 * style, the sea stories ({@link Stories#atSea()}): every weight, or a LoRA adapter with the base frozen
 * ({@link FineTuneSettings}). It measures what a learner wants to see: the held-out loss on both styles every tenth of
 * the run (the sea loss falls; the plain one may rise: forgetting), greedy generations before and after, and how far
 * each weight tensor moved (relative Frobenius change). {@link #save} writes a model folder the catalog lists, whose
 * card names its base model, the data and the method; a LoRA run also leaves its adapter there as PEFT's two files.
 *
 * <pre>{@code
 * FineTuneRun run = new FineTuneRun(Path.of(".../tiny-stories"), "tiny-stories", FineTuneSettings.LORA);
 * run.run(new FineTuneRun.Listener() {
 *     public void onStep(Trainer.Progress p) {}
 *     public void onEvaluation(FineTuneRun.Evaluation e) { System.out.println(e); }
 * });
 * run.generations().forEach(System.out::println);
 * }</pre>
 *
 * Not thread-safe, except {@link #stop()} and {@link #result()}: run it on one thread, watch and stop it from another.
 */
public final class FineTuneRun {
    /** Hears about a run's progress, on the thread that runs it. */
    public interface Listener {
        void onStep(Trainer.Progress progress);

        /** At step 0 and every {@link #evaluationInterval()} steps and at the end. */
        default void onEvaluation(Evaluation evaluation) {}
    }

    /** The mean held-out cross-entropy (nats per token) on each style after {@code step} steps. */
    public record Evaluation(int step, float seaLoss, float plainLoss) {}

    /** A greedy continuation of one prompt by the base model and by the fine-tuned one (null until the run ends). */
    public record Generation(String prompt, String before, String after) {}

    /** What the run did: the training loss of every step, the evaluations, the time (all of it, and in steps alone). */
    public record Result(int steps, List<Float> losses, List<Evaluation> evaluations, double seconds, double stepSeconds) {
        public Result {
            losses = List.copyOf(losses);
            evaluations = List.copyOf(evaluations);
        }
    }

    /** The openings both models continue: one that names a place, one that starts a story. */
    public static final List<String> PROMPTS = List.of("One sunny morning, Mia walked to the", "Once upon a time, there was");
    /** The {@code format} of a fine-tuned model's training.json. */
    public static final String FORMAT = "glassbox-finetune-record-1";
    /** Held-out windows scored per style at each evaluation. */
    static final int EVAL_WINDOWS = 4;
    static final int GENERATED_TOKENS = 40;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path baseFolder;
    private final String baseId;
    private final FineTuneSettings settings;
    private final Tokenizer tokenizer;
    private final TrainableLlama model;
    private final Map<String, float[]> initial;          // the base weights, by name, to measure movement against
    private final RecipeBatches batches;
    private final Trainer trainer;
    private final Batch heldSea, heldPlain;
    private final List<Float> losses = new CopyOnWriteArrayList<>();          // appended by the run, read by anyone
    private final List<Evaluation> evaluations = new CopyOnWriteArrayList<>();
    private final List<String> before = new ArrayList<>();
    private List<String> after = List.of();
    private int afterStep = -1;                            // the step the after-generations were made at
    private double seconds, stepSeconds;
    private volatile boolean stopRequested;

    /** A run that fine-tunes the model in {@code baseFolder} (whose catalog id is {@code baseId}); reads it and the held-out data. */
    public FineTuneRun(Path baseFolder, String baseId, FineTuneSettings settings) throws IOException {
        String why = whyNotFineTunable(baseFolder);
        if (why != null) throw new IllegalArgumentException(baseId + ": " + why);
        this.baseFolder = baseFolder;
        this.baseId = baseId;
        this.settings = settings;
        this.tokenizer = Tokenizer.fromFile(baseFolder.resolve("tokenizer.json"));   // the story tokenizer (checked above)
        this.model = TrainableLlama.load(baseFolder);
        if (settings.seqLen() > model.config().context()) {
            throw new IllegalArgumentException("seqLen at most the model's context " + model.config().context() + " expected, found " + settings.seqLen());
        }
        this.initial = model.snapshot();
        if (settings.method() == FineTuneSettings.Method.LORA) model.attach(new LoraAdapter(model.config(), settings.lora(), settings.seed()));
        this.batches = new RecipeBatches(Recipe.TINY_STORIES, tokenizer, Stories.atSea(), settings.batch(), settings.seqLen());
        int warmup = Math.max(1, settings.steps() / 10);
        this.trainer = new Trainer(model, batches, new Trainer.Settings(
                new Schedule(settings.learningRate(), settings.learningRate() / 10, warmup, settings.steps()),
                AdamW.Settings.DEFAULT, 1.0, settings.seed()));
        this.heldSea = heldOut(tokenizer, Stories.atSea(), settings.seqLen());
        this.heldPlain = heldOut(tokenizer, Stories.plain(), settings.seqLen());
    }

    /** {@link #EVAL_WINDOWS} windows of seqLen tokens cut from the first held-out stories of a style. */
    static Batch heldOut(Tokenizer tokenizer, Stories stories, int seqLen) {
        int needed = EVAL_WINDOWS * seqLen + 1, texts = 0;
        long tokens = 0;
        List<String> list = new ArrayList<>();
        for (String text : (Iterable<String>) stories.texts(dev.glassbox.tinymodels.data.Split.HELD_OUT)::iterator) {
            list.add(text);
            tokens += tokenizer.encode(text, false).ids().length + 1;
            if (tokens >= needed || ++texts > 10_000) break;
        }
        return RecipeBatches.of(Recipe.TINY_STORIES, tokenizer, list, EVAL_WINDOWS, seqLen).next(0);
    }

    /**
     * Why the model in {@code folder} cannot be fine-tuned on the stories, or null when it can: it must be a Llama
     * folder whose tokenizer is tiny-stories' own (the sea stories are cut with it).
     */
    public static String whyNotFineTunable(Path folder) {
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            if (!Files.isRegularFile(folder.resolve(file))) return "a Llama folder with " + file + " expected, found none";
        }
        try {
            if (!Arrays.equals(Files.readAllBytes(folder.resolve("tokenizer.json")), storyTokenizer())) {
                return "the story tokenizer (tiny-stories' tokenizer.json) expected: the sea stories are cut with it, and this model reads other tokens";
            }
        } catch (IOException e) {
            return "its tokenizer.json cannot be read: " + e.getMessage();
        }
        return null;
    }

    private static byte[] storyTokenizerBytes;

    /** tiny-stories' tokenizer.json: the shipped file when this jar has it, else written from the recipe (learning its merges). */
    private static synchronized byte[] storyTokenizer() {
        if (storyTokenizerBytes == null) {
            try (var shipped = FineTuneRun.class.getClassLoader().getResourceAsStream(
                    Recipe.TINY_STORIES.resource("tokenizer.json"))) {
                if (shipped != null) return storyTokenizerBytes = shipped.readAllBytes();
            } catch (IOException e) {
                // fall through: the recipe writes the same file
            }
            try {
                Path file = Files.createTempFile("glassbox-stories", ".tokenizer.json");
                try {
                    storyTokenizerBytes = Files.readAllBytes(Recipe.TINY_STORIES.vocabulary().write(file));
                } finally {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the story tokenizer to a temporary file", e);
            }
        }
        return storyTokenizerBytes;
    }

    public FineTuneSettings settings() { return settings; }

    public String baseId() { return baseId; }

    /** The model being fine-tuned (with its adapter attached under LoRA). */
    public TrainableLlama model() { return model; }

    public int stepsDone() { return trainer.step(); }

    public long parameterCount() { return model.parameterCount(); }

    /** How many numbers learn: every parameter, or the adapter's A and B. */
    public long trainableParameterCount() { return model.trainableParameterCount(); }

    /** Steps between two evaluations: a tenth of the run, at least 1. */
    public int evaluationInterval() { return Math.max(1, settings.steps() / 10); }

    /**
     * Trains until the settings' steps are done or {@link #stop()} is called; evaluates at step 0, every interval and at
     * the end. A stopped run continues from where it stopped when run again.
     */
    public Result run(Listener listener) {
        long start = System.nanoTime();
        stopRequested = false;
        try {
            if (before.isEmpty()) for (String prompt : PROMPTS) before.add(generate(prompt, GENERATED_TOKENS));
            if (evaluations.isEmpty()) evaluate(listener);
            while (trainer.step() < settings.steps() && !stopRequested) {
                long stepStart = System.nanoTime();
                trainer.run(trainer.step() + 1, p -> {
                    losses.add(p.loss());
                    listener.onStep(p);
                });
                stepSeconds += (System.nanoTime() - stepStart) / 1e9;
                int step = trainer.step();
                if (step % evaluationInterval() == 0 || step == settings.steps()) evaluate(listener);
            }
            if (evaluations.getLast().step() != trainer.step()) evaluate(listener);   // stopped between two evaluations
        } finally {
            seconds += (System.nanoTime() - start) / 1e9;
        }
        return result();
    }

    private void evaluate(Listener listener) {
        Evaluation e = evaluation();
        evaluations.add(e);
        listener.onEvaluation(e);
    }

    /** The held-out losses now. */
    public Evaluation evaluation() {
        return new Evaluation(trainer.step(), loss(heldSea), loss(heldPlain));
    }

    private float loss(Batch b) { return model.loss(b.tokens(), b.targets(), b.batch(), b.seqLen()); }

    /** What the run has done so far; safe to call from any thread while it runs. */
    public Result result() {
        return new Result(trainer.step(), losses, evaluations, seconds, stepSeconds);
    }

    /** Asks {@link #run} to return after the step in progress; safe from any thread. */
    public void stop() {
        stopRequested = true;
        trainer.stop();
    }

    /** Each prompt of {@link #PROMPTS} with the base model's continuation and, once the run has trained, this model's. */
    public List<Generation> generations() {
        if (afterStep != trainer.step() && trainer.step() > 0) {
            List<String> made = new ArrayList<>();
            for (String prompt : PROMPTS) made.add(generate(prompt, GENERATED_TOKENS));
            after = made;
            afterStep = trainer.step();
        }
        List<Generation> out = new ArrayList<>();
        for (int i = 0; i < PROMPTS.size(); i++) {
            out.add(new Generation(PROMPTS.get(i), i < before.size() ? before.get(i) : null, i < after.size() ? after.get(i) : null));
        }
        return out;
    }

    /** The greedy continuation of {@code prompt} (read as following an end of text), up to maxTokens or an end of text. */
    public String generate(String prompt, int maxTokens) {
        int[] ids = tokenizer.encode(Stories.END_OF_TEXT + prompt, false).ids();
        int context = model.config().context(), vocab = model.config().vocab();
        if (ids.length >= context) throw new IllegalArgumentException("a prompt of fewer than " + context + " tokens expected, found " + ids.length);
        int[] tokens = Arrays.copyOf(ids, Math.min(ids.length + Math.max(0, maxTokens), context));
        int length = ids.length;
        while (length < tokens.length) {
            float[] logits = model.logits(Arrays.copyOf(tokens, length), 1, length);   // (length, vocab)
            int best = 0, at = (length - 1) * vocab;
            for (int j = 1; j < vocab; j++) if (logits[at + j] > logits[at + best]) best = j;
            if (best == RecipeTokenizer.TINY_STORIES.endOfText()) break;
            tokens[length++] = best;
        }
        return tokenizer.decode(Arrays.copyOfRange(tokens, ids.length, length));
    }

    /**
     * How far each weight tensor moved from the base, by name in the model's order: ||W - W0||_F / ||W0||_F, with W
     * the effective weight (the base plus (alpha/r) B A under LoRA). Tensors LoRA did not touch show 0.
     */
    public Map<String, Double> movement() {
        TrainableLlama now = model.merged();
        Map<String, Double> moved = new LinkedHashMap<>();
        for (Parameter p : now.parameters()) {
            float[] w0 = initial.get(p.name()), w = p.values();
            double diff = 0, norm = 0;
            for (int i = 0; i < w.length; i++) {
                double d = (double) w[i] - w0[i];
                diff += d * d;
                norm += (double) w0[i] * w0[i];
            }
            moved.put(p.name(), norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm));
        }
        return moved;
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes {@code dir/id}: config.json and model.safetensors (the adapter merged in: a plain Llama folder
     * {@code Llama.load} runs), the base's tokenizer.json, MODEL_CARD.md naming the base model, the data and the method,
     * and training.json; under LoRA also {@code adapter_model.safetensors} and {@code adapter_config.json}, the adapter
     * alone. Returns the folder.
     */
    public Path save(Path dir, String id, String title) throws IOException {
        if (id == null || !id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a model id of lower-case letters, digits, '.', '_' and '-' expected, found " + id);
        }
        Path out = dir.resolve(id);
        Files.createDirectories(out);
        model.merged().save(out);
        Files.copy(baseFolder.resolve("tokenizer.json"), out.resolve("tokenizer.json"));
        long adapterBytes = 0;
        if (model.adapter() != null) {
            model.adapter().save(out, baseId);
            adapterBytes = Files.size(out.resolve(LoraAdapter.WEIGHTS));
        }
        FineTuneRecord record = new FineTuneRecord(id, title, baseId, settings, parameterCount(), trainableParameterCount(),
                TrainingRun.sha256(out.resolve("model.safetensors")), Files.size(out.resolve("model.safetensors")), adapterBytes,
                batches.examplesRead(), result(), movement(), generations());
        Files.writeString(out.resolve("training.json"), JSON.writeValueAsString(record.json()) + "\n", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("MODEL_CARD.md"), record.card().markdown(), StandardCharsets.UTF_8);
        return out;
    }
}
