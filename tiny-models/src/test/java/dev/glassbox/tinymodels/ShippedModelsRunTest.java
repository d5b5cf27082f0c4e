package dev.glassbox.tinymodels;

import dev.glassbox.explorer.models.Bert;
import dev.glassbox.explorer.models.Decoder;
import dev.glassbox.explorer.models.Transformer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every model the catalog ships loads through its entry, with its tokenizer, and runs. */
class ShippedModelsRunTest {
    @TempDir static Path dir;
    static ModelCatalog catalog;

    @BeforeAll
    static void load() throws Exception {
        catalog = ModelCatalog.load(dir.resolve("cache"), null);
    }

    @Test
    void everyShippedModelRunsOnText() throws Exception {
        for (ModelEntry entry : catalog.entries()) {
            try (Transformer model = entry.load()) {
                assertEquals(entry.family(), model.architecture().family().id(), entry.id());
                // induction-2l reads only letters and digits: a random-looking run of them, repeated
                int[] tokens = model.encode(entry.id().startsWith("induction") ? "QwErTyUiOpQwErTyUiOp" : "Open weights, open code.");
                assertTrue(tokens.length > 3, entry.id());
                Transformer.Output out = model.run(tokens);
                assertEquals(tokens.length, out.rows(), entry.id());
                for (float v : out.values()) assertTrue(Float.isFinite(v), entry.id() + " gives finite numbers");
            }
        }
    }

    @Test
    void miniLmEmbedsSentences() throws Exception {
        try (Transformer model = catalog.find("all-minilm-l6-v2").orElseThrow().load()) {
            Bert bert = assertInstanceOf(Bert.class, model);
            assertArrayEquals(new int[] {101, 7592, 2088, 102}, bert.encode("Hello world"));
            float[] e = bert.embed("Hello world");
            double norm = 0;
            for (float v : e) norm += v * v;
            assertEquals(1.0, norm, 1e-5);
        }
    }

    /** The GGUF exports hold the same model as the safetensors file: q and k rows permuted as llama.cpp expects. */
    @Test
    void tinyLlamaExportsGiveTheSameLogits() throws Exception {
        int[] tokens = {72, 101, 108, 108, 111, 32, 119};
        try (Transformer base = catalog.find("tiny-llama-random").orElseThrow().load();
             Transformer f32 = catalog.find("tiny-llama-random-f32").orElseThrow().load();
             Transformer q8 = catalog.find("tiny-llama-random-q8_0").orElseThrow().load()) {
            float[] expected = ((Decoder) base).logits(tokens);
            float[] fromGguf = ((Decoder) f32).logits(tokens);
            float[] fromQ8 = ((Decoder) q8).logits(tokens);
            double worstF32 = 0, worstQ8 = 0;
            for (int i = 0; i < expected.length; i++) {
                worstF32 = Math.max(worstF32, Math.abs(expected[i] - fromGguf[i]));
                worstQ8 = Math.max(worstQ8, Math.abs(expected[i] - fromQ8[i]));
            }
            assertTrue(worstF32 < 1e-5, "F32 GGUF vs safetensors: " + worstF32);
            assertTrue(worstQ8 < 0.05 && worstQ8 > 0, "Q8_0 is close but not equal: " + worstQ8);
            assertArrayEquals(((Decoder) base).tokenizer().encode("Hello").ids(), ((Decoder) f32).tokenizer().encode("Hello").ids(),
                    "the GGUF carries the same tokenizer");
        }
    }
}
