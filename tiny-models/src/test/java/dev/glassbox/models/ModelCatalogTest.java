package dev.glassbox.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {
    @TempDir
    Path dir;

    @Test
    void shipsMiniLmAndTheTinyLlamaWithItsExports() throws Exception {
        ModelCatalog catalog = ModelCatalog.load(dir.resolve("cache"), null);
        assertEquals(List.of("all-minilm-l6-v2", "tiny-llama-random", "tiny-llama-random-f32", "tiny-llama-random-q8_0",
                "tiny-llama-random-q4_0", "tiny-gpt2-random"), catalog.entries().stream().map(ModelEntry::id).toList());
        ModelEntry minilm = catalog.find("all-minilm-l6-v2").orElseThrow();
        // 22,713,216 trained parameters (the count Hugging Face shows) + the 512 position ids the export stores
        assertEquals(22_713_216 + 512, minilm.parameters());
        assertEquals(384L, minilm.config().get("hidden_size"));
        assertEquals(6L, minilm.config().get("num_hidden_layers"));
        assertTrue(minilm.card().markdown().startsWith("---\nlicense: apache-2.0\n"), minilm.card().markdown());
        assertEquals(Openness.Level.PARTLY_OPEN, minilm.openness().levels().get(Openness.Part.TRAINING_DATA));
        try (ModelFile file = ModelFile.open(minilm.file())) {
            ParameterBudget budget = ParameterBudget.of(file);
            assertEquals(0, budget.count(Component.OTHER), "every MiniLM tensor has a component");
            assertEquals(30522L * 384 + 512 * 384 + 2 * 384 + 512, budget.count(Component.EMBEDDINGS));   // words, positions, token types, position ids
            assertEquals(file.parameterCount(), budget.total());
        }
        assertTrue(catalog.find("tiny-llama-random").orElseThrow().card().body().contains("random weights"));
    }

    @Test
    void tinyLlamaIsDeterministicAndItsExportsHoldTheSameWeights() throws Exception {
        List<ModelEntry> first = TinyLlamaRandom.entries(dir.resolve("a"));
        TinyLlamaRandom.entries(dir.resolve("b"));
        assertEquals(-1, Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("b/model.safetensors")));
        assertEquals(-1, Files.mismatch(dir.resolve("a/tiny-llama-random-q4_0.gguf"), dir.resolve("b/tiny-llama-random-q4_0.gguf")));
        try (ModelFile hf = ModelFile.open(first.get(0).file());
             ModelFile f32 = ModelFile.open(first.get(1).file());
             ModelFile q8 = ModelFile.open(first.get(2).file())) {
            assertEquals(hf.tensors().size(), f32.tensors().size());
            float[] original = hf.tensor("model.layers.1.mlp.down_proj.weight").toFloatArray();
            assertArrayEquals(original, f32.tensor("blk.1.ffn_down.weight").toFloatArray());
            Tensor quantized = q8.tensor("blk.1.ffn_down.weight");
            assertEquals(DType.Q8_0, quantized.dtype());
            float[] back = quantized.toFloatArray();
            for (int i = 0; i < original.length; i++) assertEquals(original[i], back[i], 0.001, "value " + i);
            assertEquals(DType.F32, q8.tensor("blk.0.attn_norm.weight").dtype(), "norms stay F32");
            for (Tensor t : f32.tensors()) assertTrue(Component.of(t.name()) != Component.OTHER, t.name());
            for (Tensor t : hf.tensors()) assertTrue(Component.of(t.name()) != Component.OTHER, t.name());
        }
    }

    @Test
    void usersFilesGetCardsFromTheirMetadata() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        TinyLlamaRandom.entries(dir.resolve("gen"));
        Files.copy(dir.resolve("gen/tiny-llama-random-q8_0.gguf"), mine.resolve("My Model.gguf"));
        Files.copy(dir.resolve("gen/model.safetensors"), mine.resolve("model.safetensors"));
        Files.writeString(mine.resolve("broken.gguf"), "GGUF not really");
        ModelCatalog catalog = ModelCatalog.load(dir.resolve("cache"), mine);
        ModelEntry gguf = catalog.find("user-my-model-gguf").orElseThrow();
        assertEquals("tiny-llama-random Q8_0", gguf.name());
        assertEquals("llama", gguf.family());
        assertEquals("apache-2.0", gguf.card().license());
        assertEquals(64L, gguf.config().get("embedding_length"));
        ModelEntry st = catalog.find("user-model-safetensors").orElseThrow();
        assertEquals("llama", st.family());
        assertEquals(Openness.LicenceType.NONE, st.openness().licenceType());
        assertEquals(1, catalog.problems().size(), catalog.problems().toString());
        assertTrue(catalog.problems().getFirst().startsWith("broken.gguf"));
    }
}
