package dev.glassbox.tinymodels;

import dev.glassbox.explorer.quantization.QuantizationLab;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.Split;
import dev.glassbox.tinymodels.data.Stories;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.RecipeBatches;
import dev.glassbox.tinymodels.recipes.RecipeSettings;
import dev.glassbox.tinymodels.recipes.TrainingRun;

import dev.glassbox.explorer.models.Transformer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the quantization lab measures a catalog model on: for a model Glassbox trained, the held-out set its
 * training run reported (the same texts, cut the same way, so F32's loss is the card's {@code held_out_loss}) and
 * held-out prompts; for MiniLM, a few dozen sentences and queries for the cosine and retrieval checks; for any
 * other decoder, one plain prompt (no held-out data is known for it).
 */
public final class QuantizationInputs {
    /** Tokens generated per prompt, and per timed decoding repeat. */
    public static final int GENERATE = 48, SPEED_TOKENS = 32, REPEATS = 5;

    /** The retrieval corpus: sentences on unrelated topics, some close to each other on purpose. */
    public static final List<String> SENTENCES = List.of(
            "The cat sleeps on the warm windowsill all afternoon.",
            "A dog chased the ball across the park.",
            "The train to the city leaves at seven in the morning.",
            "She bought fresh bread and cheese at the market.",
            "The river floods the valley every spring.",
            "He fixed the bicycle's flat tyre with a patch.",
            "The library closes early on Sundays.",
            "Rain is expected over the mountains tonight.",
            "The orchestra played a symphony by Beethoven.",
            "Our team won the football match three to one.",
            "The recipe needs two eggs and a cup of flour.",
            "Solar panels turn sunlight into electricity.",
            "The museum opened a new exhibition of Roman coins.",
            "My laptop battery lasts about six hours.",
            "The children built a sandcastle on the beach.",
            "A storm knocked down trees along the coast.",
            "The doctor said to drink more water and rest.",
            "Bees carry pollen from flower to flower.",
            "The bank raised its interest rates again.",
            "He is learning to play the violin.",
            "The spaceship landed safely on the moon.",
            "Fresh snow covered the village overnight.",
            "The restaurant serves pizza baked in a wood oven.",
            "She writes her novels by hand before typing them.",
            "The bridge was closed for repairs last week.",
            "Volcanoes release ash and gas into the air.",
            "The kitten played with a ball of yarn.",
            "Stock prices fell sharply after the announcement.",
            "The garden is full of roses and tulips in May.",
            "A new vaccine protects against the flu.",
            "The plane was delayed by fog at the airport.",
            "He runs five kilometres every morning before work.");

    /** Each query paraphrases one sentence of {@link #SENTENCES}. */
    public static final List<String> QUERIES = List.of(
            "Where does the cat like to nap?",
            "When does the morning train depart?",
            "What ingredients does the cake recipe use?",
            "How do solar panels make power?",
            "Which team won the game?",
            "What did the storm do to the coast?",
            "How long does the computer battery last?",
            "What do bees do with flowers?",
            "Did the bank change its rates?",
            "Why was the flight late?",
            "What instrument is he practising?",
            "What happened to the bridge?");

    private QuantizationInputs() {}

    /**
     * The inputs for a catalog entry: a shipped trained model (or one of its GGUF exports) gets its recipe's held-out
     * set, a BERT the sentences, any other decoder one prompt in its own tokens.
     */
    public static QuantizationLab.Inputs of(ModelEntry entry) throws IOException {
        if (entry.encoder()) return encoder();
        for (Recipe recipe : TrainedModel.SHIPPED) {
            if (entry.id().equals(recipe.id()) || entry.id().startsWith(recipe.id() + "-")) return trained(recipe);
        }
        try (Transformer model = entry.load()) {
            return decoder(model.tokenizer(), PROMPT);
        }
    }

    /** The prompt of a decoder Glassbox has no data for. */
    public static final String PROMPT = "Once upon a time";

    /** The inputs for a trained recipe's shipped model (its defaults are the shipped model's settings). */
    public static QuantizationLab.Inputs trained(Recipe recipe) {
        RecipeSettings s = recipe.defaults();
        List<String> texts = recipe.dataset(s.seed()).heldOut(heldOutCount(recipe, s));
        Tokenizer tokenizer = recipe.tokenizer();
        RecipeBatches held = recipe == Recipe.INDUCTION     // scored as in training: only the repeats
                ? RecipeBatches.ofSequences(((RepeatedSequences) recipe.dataset(s.seed())).examples(Split.HELD_OUT).limit(texts.size()).toList(), 1, s.seqLen())
                : RecipeBatches.of(recipe, texts, 1, s.seqLen());
        int rows = recipe == Recipe.TINY_STORIES ? Math.max(1, windows(tokenizer, texts, s.seqLen()) / s.batch()) * s.batch() : texts.size();
        List<Batch> batches = new ArrayList<>();
        for (int r = 0; r < rows; r++) batches.add(held.next(r));
        List<QuantizationLab.Prompt> prompts = new ArrayList<>();
        for (String text : texts.subList(0, Math.min(3, texts.size()))) {
            String prompt = TrainingRun.promptOf(recipe, text);
            int[] ids = tokenizer.encode(recipe == Recipe.TINY_STORIES ? Stories.END_OF_TEXT + prompt : prompt, false).ids();
            prompts.add(new QuantizationLab.Prompt(prompt, ids));
        }
        int generate = recipe == Recipe.TINY_STORIES ? GENERATE : 12;
        return new QuantizationLab.Inputs(batches, prompts, generate, SPEED_TOKENS, REPEATS, List.of(), List.of());
    }

    /** The inputs for MiniLM (or any sentence encoder): the sentences and queries above. */
    public static QuantizationLab.Inputs encoder() {
        return new QuantizationLab.Inputs(List.of(), List.of(), 0, SPEED_TOKENS, REPEATS, SENTENCES, QUERIES);
    }

    /** The inputs for a decoder Glassbox knows no held-out data for: one prompt in its own tokens. */
    public static QuantizationLab.Inputs decoder(Tokenizer tokenizer, String prompt) {
        return new QuantizationLab.Inputs(List.of(), List.of(new QuantizationLab.Prompt(prompt, tokenizer.encode(prompt).ids())),
                GENERATE, SPEED_TOKENS, REPEATS, List.of(), List.of());
    }

    /** As TrainingRun counts them: whole batches of lists or sequences; for stories, enough for about 24 windows. */
    private static int heldOutCount(Recipe recipe, RecipeSettings s) {
        return switch (recipe) {
            case SORTER, INDUCTION -> s.batch() * Math.max(1, 256 / s.batch());
            case TINY_STORIES -> Math.max(8, 24 * s.seqLen() / 150);
        };
    }

    /** Whole windows of {@code seqLen + 1} tokens in the stories joined by end-of-text, as TrainingRun scores them. */
    private static int windows(Tokenizer tokenizer, List<String> texts, int seqLen) {
        long tokens = 0;
        for (String t : texts) tokens += tokenizer.encode(t, false).ids().length + 1;
        return (int) ((tokens - 1) / seqLen);
    }
}
