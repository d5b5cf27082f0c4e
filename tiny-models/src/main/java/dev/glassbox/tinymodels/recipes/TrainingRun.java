package dev.glassbox.tinymodels.recipes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.explorer.training.AdamW;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.training.LlamaConfig;
import dev.glassbox.explorer.training.Schedule;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.data.Dataset;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.SortingLists;
import dev.glassbox.tinymodels.data.Split;
import dev.glassbox.tinymodels.data.Stories;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training run of a recipe: the model, its data, its tokenizer and the trainer, from step 0 to
 * {@link RecipeSettings#steps()}. The weights depend only on the recipe and its settings (seed included):
 * the same run on any machine, with 1 or 2 threads, saves a byte-identical {@code model.safetensors}.
 *
 * <pre>{@code
 * TrainingRun run = new TrainingRun(Recipe.SORTER, Recipe.SORTER.quick());
 * run.run(p -> System.out.println(p.step() + " " + p.loss()));
 * System.out.println(run.sample("52917>", 8));   // "12579."
 * run.save(Path.of("models"), "my-sorter", "My sorter");
 * }</pre>
 *
 * Not thread-safe, except {@link #stop()}: run it on one background thread, stop it from another.
 */
public final class TrainingRun {
    /** Hears about a run's progress, on the thread that runs it. */
    public interface Listener {
        /** After every step. */
        void onStep(Trainer.Progress progress);

        /** Every {@link #evaluationInterval()} steps and at the end: the mean loss on the held-out set. */
        default void onEvaluation(int step, float heldOutLoss) {}

        /** With each evaluation: a greedy continuation of a held-out prompt. */
        default void onSample(int step, String prompt, String text) {}
    }

    /** What a finished (or stopped) run did; {@code losses} holds the training loss of every step. */
    public record Result(int steps, float finalLoss, float heldOutLoss, double seconds, List<Float> losses) {
        public Result {
            losses = List.copyOf(losses);
        }
    }

    /** The licence of the weights Glassbox trains (the repository's own). */
    public static final String LICENSE = "apache-2.0", LICENSE_LINK = "https://www.apache.org/licenses/LICENSE-2.0";
    /**
     * The shortest context a saved model declares ({@code max_position_embeddings}), so that a page or llama.cpp can
     * run a prompt a little longer than a sorter's 18 tokens; the weights do not depend on it (RoPE's angles are the same).
     */
    public static final int MIN_CONTEXT = 64;
    /** The {@code format} of training.json. */
    public static final String FORMAT = "glassbox-training-record-1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Recipe recipe;
    private final RecipeSettings settings;
    private final Dataset<?> data;
    private final Tokenizer tokenizer;
    private final LlamaConfig config;
    private final RecipeBatches batches;
    private final Trainer trainer;
    private final List<String> heldOutTexts;
    private final List<RepeatedSequences.Sequence> heldOutSequences;   // induction-2l: where each held-out text repeats
    private final List<Float> losses = new ArrayList<>();
    private double seconds;
    private float lastHeldOut = Float.NaN;

    public TrainingRun(Recipe recipe, RecipeSettings settings) {
        recipe.limits().check(settings);
        this.recipe = recipe;
        this.settings = settings;
        this.data = recipe.dataset(settings.seed());
        this.tokenizer = recipe.tokenizer();
        this.config = new LlamaConfig(tokenizer.vocabSize(), settings.dModel(), settings.layers(), settings.heads(),
                settings.kvHeads(), settings.dMlp(), Math.max(settings.seqLen(), MIN_CONTEXT), 10_000, 1e-5, false);
        this.batches = new RecipeBatches(recipe, data, settings.batch(), settings.seqLen());
        this.trainer = Trainer.fresh(config, batches, new Trainer.Settings(
                new Schedule(settings.learningRate(), settings.learningRate() / 10, settings.warmup(), settings.steps()),
                AdamW.Settings.DEFAULT, 1.0, settings.seed()));
        this.heldOutTexts = data.heldOut(heldOutCount());
        this.heldOutSequences = data instanceof RepeatedSequences repeats
                ? repeats.examples(Split.HELD_OUT).limit(heldOutTexts.size()).toList() : List.of();
    }

    /** Held-out texts scored: whole batches of lists or sequences; for stories, enough for about 24 windows. */
    private int heldOutCount() {
        return switch (recipe) {
            case SORTER, INDUCTION -> settings.batch() * Math.max(1, 256 / settings.batch());
            case TINY_STORIES -> Math.max(8, 24 * settings.seqLen() / 150);
        };
    }

    public Recipe recipe() { return recipe; }

    public RecipeSettings settings() { return settings; }

    public LlamaConfig config() { return config; }

    public Tokenizer tokenizer() { return tokenizer; }

    public int stepsDone() { return trainer.step(); }

    public long parameterCount() { return trainer.model().parameterCount(); }

    /** Steps between two evaluations (and samples): a tenth of the run, at least 1. */
    public int evaluationInterval() { return Math.max(1, settings.steps() / 10); }

    /** Trains until the settings' steps are done or {@link #stop()} is called; call from a background thread. */
    public Result run(Listener listener) {
        long start = System.nanoTime();
        try {
            // one step per Trainer.run, so the run can evaluate between steps; the stop request is ours, checked
            // between steps, because Trainer.run consumes its own at the end of each call
            while (trainer.step() < settings.steps() && !stopRequested) {
                trainer.run(trainer.step() + 1, p -> {
                    losses.add(p.loss());
                    listener.onStep(p);
                });
                int step = trainer.step();
                if (step % evaluationInterval() == 0 || step == settings.steps()) evaluate(step, listener);
            }
        } finally {
            seconds += (System.nanoTime() - start) / 1e9;
        }
        return result();
    }

    private void evaluate(int step, Listener listener) {
        listener.onEvaluation(step, heldOutLoss());
        String prompt = prompt();
        listener.onSample(step, prompt, sample(prompt, recipe == Recipe.TINY_STORIES ? 64 : 24));
    }

    /** What the run has done so far. */
    public Result result() {
        float last = losses.isEmpty() ? Float.NaN : losses.getLast();
        return new Result(trainer.step(), last, Float.isNaN(lastHeldOut) ? heldOutLoss() : lastHeldOut, seconds, losses);
    }

    /** Asks {@link #run} to return after the step in progress; safe from any thread. */
    public void stop() {
        stopRequested = true;
        trainer.stop();   // ends the step loop of a Trainer.run under way as well
    }

    private volatile boolean stopRequested;

    // ---------------------------------------------------------------- evaluation

    /** A held-out prompt for samples: the list of a held-out example, the first half of a sequence, a story's opening. */
    public String prompt() { return promptOf(heldOutTexts.getFirst()); }

    /** The held-out texts the run is measured on (never trained on). */
    public List<String> heldOutTexts() { return heldOutTexts; }

    /** The mean cross-entropy (nats per scored token) on the held-out set. */
    public float heldOutLoss() {
        lastHeldOut = (float) heldOutLosses()[0];
        return lastHeldOut;
    }

    /**
     * Mean held-out losses: [0] every scored position (for induction-2l, the repeat); for induction-2l also [1] the first occurrence of the repeated
     * segment (positions that predict its symbols 1..length-1, which cannot be known) and [2] the repeat (positions that
     * predict the same symbols again, which copying can know).
     */
    private double[] heldOutLosses() {
        int b = settings.batch(), s = settings.seqLen(), vocab = config.vocab();
        RecipeBatches held = recipe == Recipe.INDUCTION ? RecipeBatches.ofSequences(heldOutSequences, b, s) : RecipeBatches.of(recipe, heldOutTexts, b, s);
        int chunks = recipe == Recipe.TINY_STORIES ? Math.max(1, heldOutWindows() / b) : heldOutTexts.size() / b;
        double[] sum = new double[3];
        long[] count = new long[3];
        for (int c = 0; c < chunks; c++) {
            Batch batch = held.next(c);
            float[] logits = trainer.model().logits(batch.tokens(), b, s);          // (b*s, vocab)
            for (int i = 0; i < b * s; i++) {
                int target = batch.targets()[i];
                if (target >= 0) {
                    sum[0] += crossEntropy(logits, i * vocab, vocab, target);
                    count[0]++;
                }
                if (heldOutSequences.isEmpty()) continue;
                // induction-2l: the first occurrence (not scored in training) against the repeat, by the true next symbol
                int position = i % s;
                RepeatedSequences.Sequence sequence = heldOutSequences.get(c * b + i / s);
                int part = sequence.firstOccurrence(position) ? 1 : sequence.copyable(position) ? 2 : 0;
                if (part > 0) {
                    sum[part] += crossEntropy(logits, i * vocab, vocab, batch.tokens()[i + 1]);
                    count[part]++;
                }
            }
        }
        return new double[] {sum[0] / count[0], count[1] == 0 ? Double.NaN : sum[1] / count[1], count[2] == 0 ? Double.NaN : sum[2] / count[2]};
    }

    private int heldOutWindows() {
        long tokens = 0;
        for (String t : heldOutTexts) tokens += tokenizer.encode(t, false).ids().length + 1;
        return (int) ((tokens - 1) / settings.seqLen());
    }

    private static double crossEntropy(float[] logits, int at, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logits[at + j]);
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(logits[at + j] - max);
        return Math.log(sum) + max - logits[at + target];
    }

    /** The figures a card reports for this recipe, by name, measured on the held-out set now. */
    public Map<String, Double> heldOutReport() {
        double[] losses = heldOutLosses();
        Map<String, Double> report = new LinkedHashMap<>();
        report.put("held_out_loss", losses[0]);
        switch (recipe) {
            case SORTER -> report.put("exact_sequence_accuracy", sortingAccuracy());
            case INDUCTION -> {
                report.put("first_occurrence_loss", losses[1]);
                report.put("repeat_loss", losses[2]);
            }
            case TINY_STORIES -> report.put("perplexity", Math.exp(losses[0]));
        }
        return report;
    }

    /** The fraction of held-out lists whose greedy answer is exactly the sorted list and its full stop. */
    public double sortingAccuracy() {
        if (recipe != Recipe.SORTER) throw new IllegalStateException("sorting accuracy is a sorter measure, this run is " + recipe.id());
        int right = 0;
        for (String text : heldOutTexts) {
            String list = text.substring(0, text.indexOf('>'));
            if (sample(list + ">", SortingLists.MAX_LENGTH + 1).equals(SortingLists.sorted(list) + ".")) right++;
        }
        return (double) right / heldOutTexts.size();
    }

    /**
     * The greedy continuation of {@code prompt}, up to {@code maxTokens} tokens or the end of the context; it stops
     * at {@code <|endoftext|>}, and for the sorter after {@code .}. Stories are read as following an end of text.
     */
    public String sample(String prompt, int maxTokens) {
        int[] ids = tokenizer.encode(recipe == Recipe.TINY_STORIES ? Stories.END_OF_TEXT + prompt : prompt, false).ids();
        int[] tokens = Arrays.copyOf(ids, Math.min(ids.length + Math.max(0, maxTokens), config.context()));
        if (ids.length > config.context()) throw new IllegalArgumentException("a prompt of at most " + config.context() + " tokens expected, found " + ids.length);
        int length = ids.length, stopDot = recipe == Recipe.SORTER ? tokenizer.encode(".", false).ids()[0] : -1;
        int vocab = config.vocab();
        while (length < tokens.length) {
            float[] logits = trainer.model().logits(Arrays.copyOf(tokens, length), 1, length);   // (length, vocab)
            int best = 0, at = (length - 1) * vocab;
            for (int j = 1; j < vocab; j++) if (logits[at + j] > logits[at + best]) best = j;
            if (best == recipe.recipeTokenizer().endOfText()) break;
            tokens[length++] = best;
            if (best == stopDot) break;
        }
        return tokenizer.decode(Arrays.copyOfRange(tokens, ids.length, length));
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes {@code dir/id}: model.safetensors and config.json (a Hugging Face Llama folder), tokenizer.json,
     * training.json (the record: settings, losses, time, hardware) and MODEL_CARD.md. Returns the folder.
     */
    public Path save(Path dir, String id, String title) throws IOException {
        if (id == null || !id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a model id of lower-case letters, digits, '.', '_' and '-' expected, found " + id);
        }
        Path out = dir.resolve(id);
        Files.createDirectories(out);
        trainer.model().save(out);
        recipe.vocabulary().write(out.resolve("tokenizer.json"));
        Map<String, Double> report = heldOutReport();
        List<String> samples = new ArrayList<>();
        for (String text : heldOutTexts.subList(0, Math.min(3, heldOutTexts.size()))) {
            String prompt = promptOf(text);
            samples.add(prompt + sample(prompt, recipe == Recipe.TINY_STORIES ? 200 : 48));
        }
        TrainingRecord record = TrainingRecord.of(this, id, title, sha256(out.resolve("model.safetensors")), report, samples,
                batches.examplesRead(), losses, seconds);
        Files.writeString(out.resolve("training.json"), JSON.writeValueAsString(record.json()) + "\n", StandardCharsets.UTF_8);
        Files.writeString(out.resolve("MODEL_CARD.md"), record.card().markdown(), StandardCharsets.UTF_8);
        return out;
    }

    /**
     * The opening of a held-out text a sample continues: the list and {@code >}; for induction-2l the text up to the
     * third symbol of the repeat; a story's first three words.
     */
    public String promptOf(String text) {
        return promptOf(recipe, text);
    }

    /** The prompt {@code recipe}'s runs continue for a held-out {@code text} (see {@link #promptOf(String)}). */
    public static String promptOf(Recipe recipe, String text) {
        return switch (recipe) {
            case SORTER -> text.substring(0, text.indexOf('>') + 1);
            case INDUCTION -> text.substring(0, Math.min(text.length(), RepeatedSequences.periodOf(text) + 3));
            case TINY_STORIES -> text.substring(0, text.indexOf(' ', text.indexOf(' ', text.indexOf(' ') + 1) + 1));
        };
    }

    Dataset<?> data() { return data; }

    /** The openness checklist of a model trained from {@code recipe} by this class: every part open. */
    public static dev.glassbox.tinymodels.cards.Openness openness(Recipe recipe) { return TrainingRecord.openness(recipe); }

    /** The model card of a model trained from {@code recipe} on {@code dataset}, around {@code body}. */
    public static dev.glassbox.tinymodels.cards.ModelCard card(Recipe recipe, String dataset, String body) {
        return TrainingRecord.card(recipe, dataset, body);
    }

    int threads() { return Kernels.threads(); }

    /** The SHA-256 of a file, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
