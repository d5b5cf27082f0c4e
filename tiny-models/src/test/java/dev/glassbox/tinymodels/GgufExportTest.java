package dev.glassbox.tinymodels;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.gguf.GgufTokenizerMetadata;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import dev.glassbox.explorer.tokenizers.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokenizer metadata of the GGUF exports: what llama.cpp needs, read back by Glassbox as the same tokenizer. */
class GgufExportTest {
    @TempDir Path dir;

    @Test
    void theByteTokenizerBecomesGpt2MetadataWithItsEndOfTextAsAControlToken() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, new ObjectMapper().writeValueAsString(ByteTokenizerFiles.tokenizerJson(true)));
        Map<String, GgufValue> m = GgufTokenizerMetadata.of(TokenizerJson.read(json));
        assertEquals("gpt2", m.get("tokenizer.ggml.model").asString());
        assertEquals("gpt-2", m.get("tokenizer.ggml.pre").asString());
        assertEquals(257, m.get("tokenizer.ggml.tokens").length());
        assertEquals("<|endoftext|>", m.get("tokenizer.ggml.tokens").asStrings().get(256));
        assertEquals(3, m.get("tokenizer.ggml.token_type").asLongs()[256]);
        assertEquals(1, m.get("tokenizer.ggml.token_type").asLongs()[32]);
        for (String key : new String[] {"bos", "eos", "eot"}) assertEquals(256, m.get("tokenizer.ggml." + key + "_token_id").asLong(), key);
        assertEquals(false, m.get("tokenizer.ggml.add_bos_token").asBoolean());
    }

    @Test
    void aTokenizerWithoutEndOfTextIsRefusedWithAReason() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, new ObjectMapper().writeValueAsString(ByteTokenizerFiles.tokenizerJson(false)));
        String message = assertThrows(IllegalArgumentException.class, () -> GgufTokenizerMetadata.of(TokenizerJson.read(json))).getMessage();
        assertTrue(message.contains("<|endoftext|> expected"), message);
    }

    @Test
    void anExportTokenizesLikeItsTokenizerJson() throws Exception {
        Path model = TinyLlamaRandom.entries(dir.resolve("tiny")).getFirst().file().getParent();
        Tokenizer json = Tokenizer.fromFile(model.resolve("tokenizer.json"));
        try (ModelFile gguf = ModelFiles.open(model.resolve(GgufExport.fileName(TinyLlamaRandom.ID, GgufExport.TYPES.getLast())))) {
            Tokenizer fromGguf = Tokenizer.fromGguf(gguf);
            for (String text : new String[] {"Once upon a time", "Hi é <|endoftext|> 42"}) {
                assertArrayEquals(json.encode(text).ids(), fromGguf.encode(text).ids(), text);
            }
            assertEquals(256, fromGguf.encode("<|endoftext|>").ids()[0]);
        }
    }
}
