package dev.glassbox.explorer.tokenizers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Choosing the tokenizer from a file, and the messages for files that cannot be tokenized faithfully. */
class TokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    private static void assertRefused(String message, Executable load) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, load);
        assertEquals(message, e.getMessage());
    }

    private ObjectNode miniLm() throws IOException {
        return (ObjectNode) JSON.readTree(MiniLm.tokenizer().toFile());
    }

    private Path write(ObjectNode json) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), json);
        return file;
    }

    @Test
    void theKindFollowsTheFile() throws IOException {
        assertInstanceOf(WordPiece.class, Tokenizer.fromFile(MiniLm.tokenizer()));
        assertInstanceOf(ByteLevelBpe.class, Tokenizer.fromFile(TinyVocabularies.byteLevelJson(dir)));
        assertInstanceOf(ByteLevelBpe.class, TinyVocabularies.fromGguf(TinyVocabularies.byteLevelGguf(dir)));
        assertInstanceOf(SentencePieceBpe.class, Tokenizer.fromFile(TinyVocabularies.sentencePieceJson(dir, true, true)));
        assertInstanceOf(SentencePieceBpe.class, Tokenizer.fromFile(TinyVocabularies.metaspaceJson(dir)));
        assertInstanceOf(SentencePieceBpe.class, TinyVocabularies.fromGguf(TinyVocabularies.sentencePieceGguf(dir, Map.of())));
    }

    @Test
    void postProcessorsOfEveryKindAddTheirTokens() throws IOException {
        ObjectNode bert = miniLm();
        bert.set("post_processor", JSON.readTree("{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 102], \"cls\": [\"[CLS]\", 101]}"));
        assertArrayEquals(new int[] {101, 7592, 102}, Tokenizer.fromFile(write(bert)).encode("hello").ids());

        // Llama 3 style: a Sequence of ByteLevel (offsets only) and a template that puts a BOS before the text
        ObjectNode llama3 = (ObjectNode) JSON.readTree(TinyVocabularies.byteLevelJson(dir).toFile());
        llama3.set("post_processor", JSON.readTree("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "trim_offsets": false},
                  {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [273], "tokens": ["<|endoftext|>"]}}}]}"""));
        Encoding e = Tokenizer.fromFile(write(llama3)).encode("hello");
        assertArrayEquals(new int[] {TinyVocabularies.END_OF_TEXT, 265}, e.ids());
        assertArrayEquals(new int[] {-1, 0}, e.starts());
    }

    @Test
    void aTemplateTokenMissingFromTheVocabularyIsNamed() throws IOException {
        ObjectNode json = miniLm();
        ((ObjectNode) json.path("model").path("vocab")).remove("[CLS]");
        ArrayNode added = (ArrayNode) json.path("added_tokens");
        for (int i = added.size() - 1; i >= 0; i--) if (added.get(i).path("content").asText().equals("[CLS]")) added.remove(i);
        Path file = write(json);
        assertRefused("post_processor special token [CLS] (id 101) is not in the vocabulary", () -> Tokenizer.fromFile(file));

        ObjectNode bert = miniLm();
        bert.set("post_processor", JSON.readTree("{\"type\": \"BertProcessing\", \"sep\": [\"[SEP]\", 102], \"cls\": [\"[CLS]\", 7]}"));
        Path moved = write(bert);
        assertRefused("post_processor special token [CLS] (id 7) is not in the vocabulary at that id; it has id 101", () -> Tokenizer.fromFile(moved));
    }

    @Test
    void aMissingUnknownTokenIsNamed() throws IOException {
        ObjectNode json = miniLm();
        ((ObjectNode) json.path("model")).put("unk_token", "<unk>");
        Path file = write(json);
        assertRefused("unk_token <unk> is not in the vocabulary", () -> Tokenizer.fromFile(file));
    }

    @Test
    void unsupportedModelsAndComponentsAreNamed() throws IOException {
        ObjectNode unigram = (ObjectNode) JSON.readTree("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"<unk>\", 0.0], [\"▁a\", -1.5]]}}");
        Path u = write(unigram);
        assertRefused("tokenizer.json model type Unigram is not supported (supported: WordPiece, BPE, WordLevel with one character per token)",
                () -> Tokenizer.fromFile(u));

        ObjectNode whitespace = miniLm();
        whitespace.set("pre_tokenizer", JSON.readTree("{\"type\": \"Whitespace\"}"));
        Path w = write(whitespace);
        assertRefused("WordPiece with pre_tokenizer Whitespace is not supported (supported: BertPreTokenizer)", () -> Tokenizer.fromFile(w));

        ObjectNode nfc = miniLm();
        nfc.set("normalizer", JSON.readTree("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"Lowercase\"}]}"));
        Path n = write(nfc);
        assertRefused("WordPiece with normalizer Sequence[NFC, Lowercase] is not supported (supported: BertNormalizer or none)", () -> Tokenizer.fromFile(n));

        ObjectNode bpe = (ObjectNode) JSON.readTree("{\"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}");
        Path b = write(bpe);
        assertRefused("a BPE tokenizer.json with a ByteLevel pre_tokenizer (GPT-2 style) or with spaces replaced by ▁ (SentencePiece style: "
                + "a Metaspace pre_tokenizer or a Replace normalizer) expected, found normalizer null and pre_tokenizer Whitespace", () -> Tokenizer.fromFile(b));

        ObjectNode processor = miniLm();
        processor.set("post_processor", JSON.readTree("{\"type\": \"Magic\"}"));
        Path p = write(processor);
        assertRefused("post_processor Magic is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)",
                () -> Tokenizer.fromFile(p));
    }

    @Test
    void mergesOfTokensOutsideTheVocabularyAreRefused() throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(TinyVocabularies.byteLevelJson(dir).toFile());
        ((ArrayNode) json.path("model").path("merges")).insert(0, "x yz");
        Path file = write(json);
        assertRefused("merge 0 (x yz) joins tokens that are not in the vocabulary", () -> Tokenizer.fromFile(file));
    }

    @Test
    void ggufFilesWithoutAUsableTokenizerAreNamed() throws IOException {
        Path bert = dir.resolve("bert.gguf");
        GgufWriter.write(bert, Map.of("tokenizer.ggml.model", GgufValue.string("bert"), "tokenizer.ggml.tokens", GgufValue.strings(List.of("a"))), List.of());
        assertRefused("tokenizer.ggml.model bert is not supported (supported: llama, gpt2)", () -> TinyVocabularies.fromGguf(bert));

        Path none = dir.resolve("none.gguf");
        GgufWriter.write(none, Map.of("tokenizer.ggml.model", GgufValue.string("llama")), List.of());
        assertRefused("tokenizer.ggml.tokens expected in the GGUF metadata, found none", () -> TinyVocabularies.fromGguf(none));

        Path scores = TinyVocabularies.sentencePieceGguf(dir, Map.of("tokenizer.ggml.scores", GgufValue.floats(1f, 2f)));
        assertRefused("tokenizer.ggml.scores: one score per token expected (282), found 2", () -> TinyVocabularies.fromGguf(scores));

        Map<String, GgufValue> noBos = new LinkedHashMap<>();
        noBos.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(9999));
        Path bos = TinyVocabularies.sentencePieceGguf(dir, noBos);
        assertRefused("tokenizer.ggml.bos_token_id: a token id in 0..281 expected, found 9999", () -> TinyVocabularies.fromGguf(bos));

        Path pre = dir.resolve("qwen.gguf");
        GgufWriter.write(pre, Map.of("tokenizer.ggml.model", GgufValue.string("gpt2"), "tokenizer.ggml.pre", GgufValue.string("qwen2"),
                "tokenizer.ggml.tokens", GgufValue.strings(List.of("a")), "tokenizer.ggml.merges", GgufValue.strings(List.of())), List.of());
        assertRefused("tokenizer.ggml.pre qwen2 is not supported (supported: gpt2, llama-bpe)", () -> TinyVocabularies.fromGguf(pre));
    }

    @Test
    void idsOutsideTheVocabularyAreRefused() throws IOException {
        Tokenizer miniLm = Tokenizer.fromFile(MiniLm.tokenizer());
        assertRefused("a token id in 0..30521 expected, found 30522", () -> miniLm.decode(new int[] {101, 30522}));
        assertRefused("a token id in 0..30521 expected, found -1", () -> miniLm.token(-1));
    }

    @Test
    void encodingsAreValuesWithCopiedArrays() {
        int[] ids = {5, 6};
        Encoding e = new Encoding(ids, new String[] {"a", "b"}, new int[] {0, 1}, new int[] {1, 2});
        ids[0] = 99;
        e.ids()[1] = 99;
        assertArrayEquals(new int[] {5, 6}, e.ids());
        assertEquals(new Encoding(new int[] {5, 6}, new String[] {"a", "b"}, new int[] {0, 1}, new int[] {1, 2}), e);
        assertEquals("[5 a 0..1, 6 b 1..2]", e.toString());
        assertRefused("ids, tokens, starts and ends of one length expected, found 2, 1, 2, 2",
                () -> new Encoding(new int[2], new String[1], new int[2], new int[2]));
    }
}
