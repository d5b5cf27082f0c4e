package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small vocabularies whose merges can be followed by hand, written as tokenizer.json files (with Jackson)
 * and as GGUF files (with GgufWriter), the way the real ones are.
 */
final class TinyVocabularies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyVocabularies() {}

    // ---- byte-level BPE (GPT-2 style) -------------------------------------------------------------------

    /**
     * Merges in rank order. Ids: byte b has id b (as its ByteLevel character), merge k makes id 256 + k,
     * {@code <|endoftext|>} is 256 + merges.
     */
    static final List<String> BYTE_LEVEL_MERGES = List.of(
            "o Ġ",          // 256 oĠ      rank 0, but crosses a pre-tokenizer boundary: never applies
            "Ġ w",          // 257 Ġw
            "o r",          // 258 or
            "l d",          // 259 ld
            "Ġw or",        // 260 Ġwor
            "Ġwor ld",      // 261 Ġworld
            "h e",          // 262 he
            "l l",          // 263 ll
            "he ll",        // 264 hell
            "hell o",       // 265 hello
            "' s",          // 266 's
            "Ġ Ġ",          // 267 ĠĠ
            "b c",          // 268 bc
            "a b",          // 269 ab
            "a a",          // 270 aa
            "Ġ b",          // 271 Ġb
            "t '");         // 272 t'     crosses "it" | "'s": never applies
    static final int END_OF_TEXT = 256 + BYTE_LEVEL_MERGES.size();   // 273

    /** The byte-level vocabulary by id. */
    static List<String> byteLevelTokens() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        for (String merge : BYTE_LEVEL_MERGES) tokens.add(merge.replace(" ", ""));
        tokens.add("<|endoftext|>");
        return tokens;
    }

    /** GPT-2's tokenizer.json layout: ByteLevel pre-tokenizer, post-processor and decoder, no normalizer. */
    static Path byteLevelJson(Path dir) throws IOException {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("vocab", vocab(byteLevelTokens()));
        model.put("merges", BYTE_LEVEL_MERGES);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("added_tokens", List.of(added(END_OF_TEXT, "<|endoftext|>", true)));
        json.put("normalizer", null);
        json.put("pre_tokenizer", Map.of("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", true));
        json.put("post_processor", Map.of("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", false, "use_regex", true));
        json.put("decoder", Map.of("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true));
        json.put("model", model);
        return write(dir.resolve("gpt2-tokenizer.json"), json);
    }

    /** The same tokenizer as llama.cpp stores it in a GGUF file. */
    static Path byteLevelGguf(Path dir) throws IOException {
        List<String> tokens = byteLevelTokens();
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[END_OF_TEXT] = 3;
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
        m.put("tokenizer.ggml.pre", GgufValue.string("gpt-2"));
        m.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
        m.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        m.put("tokenizer.ggml.merges", GgufValue.strings(BYTE_LEVEL_MERGES));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(END_OF_TEXT));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(END_OF_TEXT));
        Path file = dir.resolve("gpt2-tokenizer.gguf");
        GgufWriter.write(file, m, List.of());
        return file;
    }

    // ---- SentencePiece BPE (Llama style) ------------------------------------------------------------------

    /** Ids: 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}, 3 + b {@code <0xNN>} for byte b, then the pieces. */
    static final List<String> PIECES = List.of(
            "▁", "h", "e", "l", "o", "w", "r", "d", "a", "b", "c",         // 259..269
            "ll", "▁h", "ell", "▁hell", "▁hello",                          // 270..274
            "▁w", "or", "▁wor", "ld", "▁world",                            // 275..279
            "ab", "bc");                                                   // 280, 281
    /** Merges in rank order (tokenizer.json); the GGUF file gives the same order as scores, except that bc outscores ab. */
    static final List<String> SENTENCE_PIECE_MERGES = List.of(
            "l l", "▁ h", "e ll", "▁h ell", "▁hell o", "▁ w", "o r", "▁w or", "l d", "▁wor ld", "a b", "b c");

    static List<String> sentencePieceTokens() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
        tokens.addAll(PIECES);
        return tokens;
    }

    static int piece(String piece) { return 259 + PIECES.indexOf(piece); }

    /**
     * Llama 2's tokenizer.json layout: normalizer Prepend("▁") + Replace(" ", "▁"), no pre-tokenizer,
     * byte fallback, {@code <s> $A} template. {@code byteFallback} false leaves unknown characters to {@code <unk>}.
     */
    static Path sentencePieceJson(Path dir, boolean byteFallback, boolean fuseUnk) throws IOException {
        Map<String, Object> json = sentencePieceCommon(byteFallback, fuseUnk);
        json.put("normalizer", Map.of("type", "Sequence", "normalizers", List.of(
                Map.of("type", "Prepend", "prepend", "▁"),
                Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "▁"))));
        json.put("pre_tokenizer", null);
        return write(dir.resolve("llama-tokenizer-" + byteFallback + fuseUnk + ".json"), json);
    }

    /** The layout of newer conversions (Mistral, TinyLlama): no normalizer, a Metaspace pre-tokenizer that prepends ▁ only to the first stretch. */
    static Path metaspaceJson(Path dir) throws IOException {
        Map<String, Object> json = sentencePieceCommon(true, true);
        json.put("normalizer", null);
        json.put("pre_tokenizer", Map.of("type", "Metaspace", "replacement", "▁", "prepend_scheme", "first", "split", false));
        return write(dir.resolve("metaspace-tokenizer.json"), json);
    }

    private static Map<String, Object> sentencePieceCommon(boolean byteFallback, boolean fuseUnk) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("unk_token", "<unk>");
        model.put("fuse_unk", fuseUnk);
        model.put("byte_fallback", byteFallback);
        model.put("vocab", vocab(sentencePieceTokens()));
        model.put("merges", SENTENCE_PIECE_MERGES);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("added_tokens", List.of(added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true)));
        json.put("post_processor", Map.of("type", "TemplateProcessing",
                "single", List.of(Map.of("SpecialToken", Map.of("id", "<s>", "type_id", 0)), Map.of("Sequence", Map.of("id", "A", "type_id", 0))),
                "special_tokens", Map.of("<s>", Map.of("id", "<s>", "ids", List.of(1), "tokens", List.of("<s>")))));
        json.put("decoder", Map.of("type", "Sequence", "decoders", List.of(
                Map.of("type", "Replace", "pattern", Map.of("String", "▁"), "content", " "),
                Map.of("type", "ByteFallback"), Map.of("type", "Fuse"),
                Map.of("type", "Strip", "content", " ", "start", 1, "stop", 0))));
        json.put("model", model);
        return json;
    }

    /**
     * As llama.cpp stores a SentencePiece model: token scores instead of merges, token types, BOS added by default.
     * {@code extra} adds or replaces keys; a null value removes one.
     */
    static Path sentencePieceGguf(Path dir, Map<String, GgufValue> extra) throws IOException {
        List<String> tokens = sentencePieceTokens();
        float[] scores = new float[tokens.size()];
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        for (int b = 0; b < 256; b++) types[3 + b] = 6;
        // a merged token scores -(its merge rank + 1): the same order as the merge list...
        for (int rank = 0; rank < SENTENCE_PIECE_MERGES.size(); rank++) {
            scores[piece(SENTENCE_PIECE_MERGES.get(rank).replace(" ", ""))] = -(rank + 1);
        }
        scores[piece("bc")] = -0.5f;                                  // ...except that bc now comes before everything
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("tokenizer.ggml.model", GgufValue.string("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.strings(tokens));
        m.put("tokenizer.ggml.scores", GgufValue.floats(scores));
        m.put("tokenizer.ggml.token_type", GgufValue.int32s(types));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(1));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(2));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(0));
        extra.forEach((key, value) -> {                              // a null value removes the key
            if (value == null) m.remove(key);
            else m.put(key, value);
        });
        Path file = dir.resolve("llama-tokenizer.gguf");
        GgufWriter.write(file, m, List.of());
        return file;
    }

    static Tokenizer fromGguf(Path file) throws IOException {
        try (ModelFile gguf = ModelFiles.open(file)) {
            return Tokenizer.fromGguf(gguf);
        }
    }

    // ---- shared ------------------------------------------------------------------------------------------

    static Map<String, Object> added(int id, String content, boolean special) {
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", false);
        token.put("special", special);
        return token;
    }

    static Map<String, Integer> vocab(List<String> tokens) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokens.size(); id++) vocab.put(tokens.get(id), id);
        return vocab;
    }

    static Path write(Path file, Object json) throws IOException {
        JSON.writeValue(file.toFile(), json);
        return file;
    }
}
