package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.training.LoraSettings;
import dev.glassbox.tinymodels.data.Stories;

import java.util.Locale;

/**
 * How to fine-tune a story model on the sea stories: every weight ({@link Method#FULL}) or a LoRA adapter
 * ({@link Method#LORA}, shaped by {@code lora}), for {@code steps} AdamW steps of {@code batch} windows of
 * {@code seqLen} tokens, the rate warming up for a tenth of the steps and falling by a cosine to a tenth of its peak.
 *
 * @param lora the adapter's shape; null for full fine-tuning
 * @param seed the seed of the adapter's A (the data is the sea stories' own seeded stream)
 */
public record FineTuneSettings(Method method, LoraSettings lora, int steps, float learningRate, int batch, int seqLen, long seed) {
    /** What trains. */
    public enum Method {
        /** Every weight of the model. */
        FULL,
        /** A low-rank adapter beside chosen projections; the model's own weights stay frozen. */
        LORA;

        public String id() { return name().toLowerCase(Locale.ROOT); }

        public static Method byId(String id) {
            for (Method m : values()) if (m.id().equalsIgnoreCase(id.strip())) return m;
            throw new IllegalArgumentException("method full or lora expected, found " + id);
        }
    }

    public static final int MAX_STEPS = 2000, MAX_BATCH = 16, MIN_SEQ = 16, MAX_SEQ = 256, MAX_RANK = 64;
    public static final float MIN_RATE = 1e-5f, MAX_RATE = 0.1f, MAX_ALPHA = 1024;

    /** 50 steps of every weight, 4 windows of 128 tokens at rate 1e-3: seconds on one thread. */
    public static final FineTuneSettings FULL = new FineTuneSettings(Method.FULL, null, 50, 1e-3f, 4, 128, Stories.SEA_SEED);
    /**
     * 50 steps of a rank-8 adapter, alpha 16, on every projection (attention and MLP: the sea's words live in the MLP as
     * much as in attention), at rate 5e-3 (an adapter starts from zero and takes a higher rate than full fine-tuning).
     */
    public static final FineTuneSettings LORA = new FineTuneSettings(Method.LORA,
            LoraSettings.of(8, 16, java.util.List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")),
            50, 5e-3f, 4, 128, Stories.SEA_SEED);

    public FineTuneSettings {
        if (method == null) throw new IllegalArgumentException("method full or lora expected, found null");
        if (method == Method.LORA && lora == null) throw new IllegalArgumentException("LoRA settings (rank, alpha, targets) expected for method lora");
        if (method == Method.FULL) lora = null;
        if (lora != null && (lora.rank() > MAX_RANK || lora.alpha() > MAX_ALPHA)) {
            throw new IllegalArgumentException("LoRA rank in [1, " + MAX_RANK + "] and alpha in (0, " + MAX_ALPHA + "] expected, found "
                    + lora.rank() + " and " + lora.alpha());
        }
        range("steps", steps, 1, MAX_STEPS);
        range("batch", batch, 1, MAX_BATCH);
        range("seqLen", seqLen, MIN_SEQ, MAX_SEQ);
        if (!(learningRate >= MIN_RATE && learningRate <= MAX_RATE)) {
            throw new IllegalArgumentException("learningRate in [" + MIN_RATE + ", " + MAX_RATE + "] expected, found " + learningRate);
        }
    }

    private static void range(String field, int value, int lo, int hi) {
        if (value < lo || value > hi) throw new IllegalArgumentException(field + " in [" + lo + ", " + hi + "] expected, found " + value);
    }

    public FineTuneSettings withSteps(int steps) { return new FineTuneSettings(method, lora, steps, learningRate, batch, seqLen, seed); }

    public FineTuneSettings withLearningRate(float rate) { return new FineTuneSettings(method, lora, steps, rate, batch, seqLen, seed); }
}
