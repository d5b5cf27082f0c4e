package dev.glassbox.explorer.formats.hf;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HfFilesTest {
    @TempDir Path dir;

    @Test
    void miniLmTokenizerIsAWordPieceVocabulary() throws IOException {
        TokenizerJson tokenizer = TokenizerJson.read(MiniLm.tokenizer());
        assertEquals("WordPiece", tokenizer.modelType());
        assertEquals(30522, tokenizer.vocab().size());
        assertEquals(0, tokenizer.id("[PAD]"));
        assertEquals(101, tokenizer.id("[CLS]"));
        assertEquals(102, tokenizer.id("[SEP]"));
        assertEquals("[PAD]", tokenizer.vocab().keySet().iterator().next());   // file order is kept
        assertTrue(tokenizer.merges().isEmpty());
        assertEquals(5, tokenizer.addedTokens().size());
        assertTrue(tokenizer.addedTokens().getFirst().special());
        assertEquals("BertNormalizer", tokenizer.normalizer().get("type").textValue());
        assertEquals("BertPreTokenizer", tokenizer.preTokenizer().get("type").textValue());
        assertEquals("##", tokenizer.model().get("continuing_subword_prefix").textValue());
    }

    @Test
    void bpeMergesReadInBothSpellings() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, """
                {"version": "1.0", "added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
                 "model": {"type": "BPE", "vocab": {"h": 0, "e": 1, "he": 2},
                           "merges": ["h e", ["he", "llo"]]}}""");
        TokenizerJson tokenizer = TokenizerJson.read(file);
        assertEquals("BPE", tokenizer.modelType());
        assertEquals(List.of(new TokenizerJson.Merge("h", "e"), new TokenizerJson.Merge("he", "llo")), tokenizer.merges());
        assertEquals(3, tokenizer.id("<|endoftext|>"));
        assertTrue(tokenizer.normalizer().isNull());
    }

    @Test
    void unigramVocabulariesKeepTheirScores() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"<unk>\", 0.0], [\"▁a\", -3.5]]}}");
        TokenizerJson tokenizer = TokenizerJson.read(file);
        assertEquals(1, tokenizer.id("▁a"));
        assertEquals(-3.5, tokenizer.scores()[1]);
    }

    @Test
    void badTokenizerFilesNameTheField() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        String text = "{\"version\": \"1.0\", \"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0, \"b\": \"one\"}}}";
        Files.writeString(file, text);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> TokenizerJson.read(file));
        assertEquals(text.indexOf("\"model\""), e.offset());
        assertTrue(e.problem().contains("model.vocab id of b as a non-negative integer expected"), e.problem());
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": [\"abc\"]}}");
        assertTrue(assertThrows(ModelFormatException.class, () -> TokenizerJson.read(file)).problem().contains("\"left right\""));
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}");
        ModelFormatException cut = assertThrows(ModelFormatException.class, () -> TokenizerJson.read(file));
        assertTrue(cut.problem().startsWith("well-formed JSON expected"), cut.problem());
    }

    @Test
    void configReadsCommonFieldsUnderEitherSpelling() throws IOException {
        Path llama = dir.resolve("config.json");
        Files.writeString(llama, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 172,
                 "vocab_size": 512, "max_position_embeddings": 256, "hidden_act": "silu", "rms_norm_eps": 1e-5,
                 "rope_theta": 10000.0, "torch_dtype": "float32", "tie_word_embeddings": false, "custom": [1, 2]}""");
        HfConfig config = HfConfig.read(llama);
        assertEquals("llama", config.modelType());
        assertEquals(List.of("LlamaForCausalLM"), config.architectures());
        assertEquals(64, config.hiddenSize());
        assertEquals(2, config.numKeyValueHeads());
        assertEquals(1e-5, config.rmsNormEps());
        assertEquals(Double.NaN, config.layerNormEps());
        assertEquals(false, config.tieWordEmbeddings());
        assertEquals(List.of(1, 2), config.get("custom"));

        Path gpt2 = dir.resolve("gpt2.json");
        Files.writeString(gpt2, "{\"model_type\": \"gpt2\", \"n_embd\": 768, \"n_layer\": 12, \"n_head\": 12, \"n_positions\": 1024, \"layer_norm_epsilon\": 1e-5}");
        HfConfig g = HfConfig.read(gpt2);
        assertEquals(768, g.hiddenSize());
        assertEquals(12, g.numHiddenLayers());
        assertEquals(12, g.numKeyValueHeads());                          // defaults to the attention heads
        assertEquals(1024, g.maxPositionEmbeddings());
        assertEquals(-1, g.intermediateSize());

        String bad = "{\"model_type\": \"llama\", \"hidden_size\": -64}";
        Files.writeString(llama, bad);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfig.read(llama));
        assertEquals("config.json: hidden_size as a non-negative integer expected, found -64 at byte " + bad.indexOf("\"hidden_size\""), e.getMessage());
    }
}
