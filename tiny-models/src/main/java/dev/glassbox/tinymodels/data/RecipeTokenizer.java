package dev.glassbox.tinymodels.data;

import dev.glassbox.explorer.tokenizers.BpeTrainer;
import dev.glassbox.explorer.tokenizers.BpeVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tokenizer of each model Glassbox trains, made by code from its data, never edited by hand. All are
 * GPT-2 style byte-level BPE with {@value Stories#END_OF_TEXT} right after the base symbols:
 * <ul>
 *   <li>{@link #SORTER}: no merges, every character is one token (its texts are ASCII), 257 tokens, end of text at 256;</li>
 *   <li>{@link #INDUCTION}: no merges and only the {@value RepeatedSequences#ALPHABET_SIZE} symbols of
 *       {@link RepeatedSequences#ALPHABET}, the line end and the space, then end of text: 63 tokens. With all 256 bytes, the model
 *       spends its first steps pushing down the 196 outputs it never sees, by one direction shared by every position;
 *       that direction swamps the symbols in the queries and keys, and no induction head formed in thousands of steps
 *       (measured: docs/training.md). With only the symbols it meets, the heads form in a few hundred steps.</li>
 *   <li>{@link #TINY_STORIES}: {@value #STORY_VOCAB_SIZE} tokens, merges learned by {@link BpeTrainer} from the first
 *       {@value #STORY_CORPUS} training stories of {@link Stories#plain()}. With a grammar of about 400 words, almost
 *       every word (with its space) becomes one token, so the model spends its capacity on the story, not on spelling.</li>
 * </ul>
 */
public enum RecipeTokenizer {
    SORTER,
    INDUCTION,
    TINY_STORIES;

    public static final int STORY_VOCAB_SIZE = 1024;
    public static final int STORY_CORPUS = 3000;

    /** The vocabulary and merges, computed afresh (the story tokenizer trains in about a second). */
    public BpeVocabulary vocabulary() {
        return switch (this) {
            case SORTER -> BpeTrainer.bytesOnly(List.of(Stories.END_OF_TEXT));
            case INDUCTION -> BpeTrainer.alphabetOnly(RepeatedSequences.ALPHABET + "\n ", List.of(Stories.END_OF_TEXT));
            case TINY_STORIES -> BpeTrainer.train(Stories.plain().train(STORY_CORPUS), STORY_VOCAB_SIZE, List.of(Stories.END_OF_TEXT));
        };
    }

    /** Writes {@code folder/tokenizer.json} (the folder is created if needed); returns the file. */
    public Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        return vocabulary().write(folder.resolve("tokenizer.json"));
    }

    /** The id of {@value Stories#END_OF_TEXT}: right after the base symbols. */
    public int endOfText() { return this == INDUCTION ? RepeatedSequences.ALPHABET_SIZE + 2 : BpeVocabulary.BYTES; }

    /** A sentence for the model card. */
    public String card() {
        return switch (this) {
            case SORTER -> "**Tokenizer.** Byte-level BPE with no merges: the 256 bytes and `" + Stories.END_OF_TEXT
                    + "` (id 256), so every character is one token; written by `" + getClass().getName() + "." + name() + "`.";
            case INDUCTION -> "**Tokenizer.** Byte-level BPE with no merges and only the symbols the data uses: the "
                    + RepeatedSequences.ALPHABET_SIZE + " symbols (ids 0-" + (RepeatedSequences.ALPHABET_SIZE - 1) + " in the order `"
                    + RepeatedSequences.ALPHABET + "`), the line end and the space (ids " + RepeatedSequences.ALPHABET_SIZE + ", " + (RepeatedSequences.ALPHABET_SIZE + 1) + ") and `" + Stories.END_OF_TEXT
                    + "` (id " + endOfText() + "), so every symbol is one token and every output of the model is a symbol it meets"
                    + " (with all 256 bytes no induction head formed); written by `" + getClass().getName() + "." + name() + "`.";
            case TINY_STORIES -> "**Tokenizer.** Byte-level BPE (GPT-2 style) with " + STORY_VOCAB_SIZE + " tokens: the 256 bytes, `"
                    + Stories.END_OF_TEXT + "` (id 256) and " + (STORY_VOCAB_SIZE - 257) + " merges learned by `"
                    + BpeTrainer.class.getName() + "` from the first " + STORY_CORPUS + " training stories; written by `"
                    + getClass().getName() + "." + name() + "`.";
        };
    }
}
