package dev.glassbox.explorer.tokenizers;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.hf.TokenizerJson;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns text into the token ids a model reads, and ids back into text.
 *
 * <pre>{@code
 * Tokenizer tokenizer = Tokenizer.fromFile(Path.of("tokenizer.json"));
 * Encoding e = tokenizer.encode("Hello world");   // BERT: [CLS] hello world [SEP] = [101, 7592, 2088, 102]
 * String text = tokenizer.decode(e.ids());        // "hello world"
 * }</pre>
 *
 * <p>Four kinds, chosen from the file: {@link WordPiece} (BERT), {@link ByteLevelBpe} (GPT-2, Llama 3),
 * {@link SentencePieceBpe} (Llama 2, Mistral, TinyLlama) and {@link CharTokenizer} (toy models).
 * Tokenizers are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /** The text's tokens with the special tokens the model expects around it (see {@link #encode(String, boolean)}). */
    default Encoding encode(String text) { return encode(text, true); }

    /**
     * The text's tokens. Special tokens written in the text ({@code [SEP]}, {@code <|endoftext|>}) are found
     * first and become their own ids. With {@code addSpecialTokens}, the tokens the model expects around a
     * text are added: {@code [CLS] ... [SEP]} for BERT, {@code <s>} for Llama when the file asks for it,
     * nothing for GPT-2; their span in the {@link Encoding} is (-1, -1).
     */
    Encoding encode(String text, boolean addSpecialTokens);

    /** The text of the tokens: special tokens are skipped and the marks of the tokenizer ({@code ##}, {@code Ġ}, {@code ▁}) undone. */
    String decode(int[] ids);

    /** The vocabulary string of one id, as the tokenizer stores it ({@code ##ing}, {@code Ġworld}, {@code ▁Hello}, {@code <0x0A>}). */
    String token(int id);

    /** One more than the highest token id. */
    int vocabSize();

    /** {@code "WordPiece"}, {@code "BPE (byte-level)"}, {@code "BPE (SentencePiece)"} or {@code "characters"}. */
    String kind();

    /**
     * The tokenizer a Hugging Face tokenizer.json describes, chosen from its model type and its pre-tokenizer
     * and normalizer. An IllegalArgumentException names what is not supported (e.g. a Unigram model).
     */
    static Tokenizer from(TokenizerJson json) { return JsonPipeline.tokenizer(json); }

    /** Reads a tokenizer.json and builds its tokenizer; see {@link #from(TokenizerJson)}. */
    static Tokenizer fromFile(Path tokenizerJson) throws IOException { return from(TokenizerJson.read(tokenizerJson)); }

    /**
     * The tokenizer in a GGUF file's metadata: {@code tokenizer.ggml.model} "llama" (SentencePiece BPE with
     * scores and byte fallback) or "gpt2" (byte-level BPE with merges).
     */
    static Tokenizer fromGguf(ModelFile gguf) { return GgufTokenizer.load(gguf); }
}
