package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.tokenizers.Tokenizer;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.training.BatchSource;
import dev.glassbox.tinymodels.data.Dataset;
import dev.glassbox.tinymodels.data.RecipeTokenizer;
import dev.glassbox.tinymodels.data.RepeatedSequences;
import dev.glassbox.tinymodels.data.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The training batches of a recipe, cut from its dataset's training split in stream order, so the batch of step
 * {@code i} depends only on the dataset's seed and {@code i}:
 * <ul>
 *   <li>sorter: one list per row ({@code 52917>12579.}), padded with {@code <|endoftext|>}; only the answer is
 *       scored: the targets are the next tokens from {@code >} to {@code .}, -1 elsewhere;</li>
 *   <li>induction-2l: one sequence per row; only the repeat is scored: the targets are the next symbols from the
 *       repeat's first symbol to its last but one, -1 elsewhere (the rest is random and cannot be predicted);</li>
 *   <li>tiny-stories: the training stories joined by {@code <|endoftext|>} as one token stream, cut into
 *       consecutive windows of {@code seqLen + 1} tokens (the last token of a window is only a target).</li>
 * </ul>
 * Row {@code r} of step {@code i} is example (or window) {@code i * batch + r}. Not thread-safe.
 */
public final class RecipeBatches implements BatchSource {
    private final Recipe recipe;
    private final Tokenizer tokenizer;
    private final int batch, seqLen;
    private final Iterator<String> texts;                 // the training texts, in stream order
    private final Iterator<RepeatedSequences.Sequence> sequences;   // induction-2l: the same examples with their segments
    private final List<int[]> examples = new ArrayList<>(); // sorter, induction: the examples read so far, tokenized
    private final List<RepeatedSequences.Sequence> read = new ArrayList<>();   // induction: the sequences read so far
    private int[] stream = new int[0];                    // tiny-stories: the token stream read so far
    private int streamLength;

    public RecipeBatches(Recipe recipe, Dataset<?> data, int batch, int seqLen) {
        this(recipe, recipe.tokenizer(), data, batch, seqLen);
    }

    /**
     * The batches of {@code data} cut with {@code tokenizer}, which must be the recipe's (read from a model's
     * tokenizer.json, it saves learning the recipe's merges again).
     */
    public RecipeBatches(Recipe recipe, Tokenizer tokenizer, Dataset<?> data, int batch, int seqLen) {
        this(recipe, tokenizer, data instanceof RepeatedSequences ? null : data.texts(Split.TRAIN).iterator(),
                data instanceof RepeatedSequences repeats ? repeats.examples(Split.TRAIN).iterator() : null, batch, seqLen);
    }

    private RecipeBatches(Recipe recipe, Tokenizer tokenizer, Iterator<String> texts, Iterator<RepeatedSequences.Sequence> sequences,
                          int batch, int seqLen) {
        if ((recipe == Recipe.INDUCTION) != (sequences != null)) {
            throw new IllegalArgumentException("repeated sequences expected for induction-2l and only for it, recipe " + recipe.id());
        }
        if (batch < 1 || seqLen < 2) throw new IllegalArgumentException("batch >= 1 and seqLen >= 2 expected, found " + batch + ", " + seqLen);
        this.recipe = recipe;
        this.tokenizer = tokenizer;
        this.batch = batch;
        this.seqLen = seqLen;
        this.texts = texts;
        this.sequences = sequences;
    }

    /** The batches of a fixed list of texts (a held-out set), row {@code r} of step {@code i} from text or window {@code i * batch + r}. */
    public static RecipeBatches of(Recipe recipe, List<String> texts, int batch, int seqLen) {
        return new RecipeBatches(recipe, recipe.tokenizer(), texts.iterator(), null, batch, seqLen);
    }

    /** As {@link #of(Recipe, List, int, int)}, cut with {@code tokenizer} (the recipe's, read from a model's file). */
    public static RecipeBatches of(Recipe recipe, Tokenizer tokenizer, List<String> texts, int batch, int seqLen) {
        return new RecipeBatches(recipe, tokenizer, texts.iterator(), null, batch, seqLen);
    }

    /** The batches of a fixed list of repeated sequences (induction-2l's held-out set), scored as in training. */
    public static RecipeBatches ofSequences(List<RepeatedSequences.Sequence> sequences, int batch, int seqLen) {
        return new RecipeBatches(Recipe.INDUCTION, Recipe.INDUCTION.tokenizer(), null, sequences.iterator(), batch, seqLen);
    }

    /** How many training examples (stories for tiny-stories) have been read so far. */
    public int examplesRead() { return examplesRead; }

    private int examplesRead;

    @Override public Batch next(int step) {
        int[] tokens = new int[batch * seqLen], targets = new int[batch * seqLen];
        for (int r = 0; r < batch; r++) row(step * (long) batch + r, tokens, targets, r * seqLen);
        return new Batch(tokens, targets, batch, seqLen);
    }

    /** Fills one row of {@code seqLen} tokens and targets at {@code at} from example (or window) {@code index}. */
    private void row(long index, int[] tokens, int[] targets, int at) {
        int eot = recipe.recipeTokenizer().endOfText();
        switch (recipe) {
            case SORTER -> {
                int[] ids = example(index);
                if (ids.length > seqLen) throw new IllegalStateException("a list of " + ids.length + " tokens does not fit seqLen " + seqLen);
                int answer = indexOf(ids, tokenizer.encode(">", false).ids()[0]);
                Arrays.fill(tokens, at, at + seqLen, eot);
                Arrays.fill(targets, at, at + seqLen, -1);
                System.arraycopy(ids, 0, tokens, at, ids.length);
                for (int i = answer; i + 1 < ids.length; i++) targets[at + i] = ids[i + 1];   // from '>' predict each sorted digit, then '.'
            }
            case INDUCTION -> {
                int[] ids = example(index);
                RepeatedSequences.Sequence sequence = read.get((int) index);
                if (ids.length != seqLen) throw new IllegalStateException("a sequence of " + seqLen + " tokens expected, found " + ids.length);
                System.arraycopy(ids, 0, tokens, at, seqLen);
                // only the repeat is scored: from each of its symbols but the last, predict the next one
                for (int i = 0; i < seqLen; i++) targets[at + i] = sequence.copyable(i) ? ids[i + 1] : -1;
            }
            case TINY_STORIES -> {
                long start = index * seqLen;
                if (start + seqLen + 1 > Integer.MAX_VALUE) throw new IllegalStateException("token stream longer than 2^31 tokens");
                fill((int) (start + seqLen + 1));
                System.arraycopy(stream, (int) start, tokens, at, seqLen);
                System.arraycopy(stream, (int) start + 1, targets, at, seqLen);
            }
        }
    }

    /** The token ids of example {@code index}, reading (and tokenizing) the stream up to it. */
    private int[] example(long index) {
        while (examples.size() <= index) {
            String text;
            if (sequences != null) {
                if (!sequences.hasNext()) throw new IllegalStateException("example " + index + " asked, the sequences have " + examples.size());
                read.add(sequences.next());
                text = read.getLast().text();
            } else {
                if (!texts.hasNext()) throw new IllegalStateException("example " + index + " asked, the texts have " + examples.size());
                text = texts.next();
            }
            examples.add(tokenizer.encode(text, false).ids());
            examplesRead++;
        }
        return examples.get((int) index);
    }

    /** Tokenizes stories, each followed by {@code <|endoftext|>}, until the stream holds {@code length} tokens. */
    private void fill(int length) {
        while (streamLength < length) {
            if (!texts.hasNext()) throw new IllegalStateException(length + " tokens asked, the texts have " + streamLength);
            int[] ids = tokenizer.encode(texts.next(), false).ids();
            examplesRead++;
            int need = streamLength + ids.length + 1;
            if (need > stream.length) stream = Arrays.copyOf(stream, Math.max(need, stream.length * 2));
            System.arraycopy(ids, 0, stream, streamLength, ids.length);
            stream[streamLength + ids.length] = recipe.recipeTokenizer().endOfText();
            streamLength = need;
        }
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) if (ids[i] == id) return i;
        throw new IllegalStateException("token " + id + " expected in " + Arrays.toString(ids));
    }
}
