package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.tinymodels.cards.Openness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {
    @TempDir
    Path dir;

    @Test
    void shipsMiniLmAndTheTinyLlamaWithItsExports() throws Exception {
        ModelCatalog catalog = ModelCatalog.load(dir.resolve("cache"), null);
        List<String> ids = new java.util.ArrayList<>(List.of("all-minilm-l6-v2"));
        for (dev.glassbox.tinymodels.recipes.Recipe r : TrainedModel.SHIPPED) {
            ids.addAll(List.of(r.id(), r.id() + "-f32", r.id() + "-q8_0", r.id() + "-q4_0"));
        }
        ids.addAll(List.of("tiny-llama-random", "tiny-llama-random-f32", "tiny-llama-random-q8_0", "tiny-llama-random-q4_0", "tiny-gpt2-random"));
        assertEquals(ids, catalog.entries().stream().map(ModelEntry::id).toList());
        ModelEntry minilm = catalog.find("all-minilm-l6-v2").orElseThrow();
        // 22,713,216 trained parameters (the count Hugging Face shows) + the 512 position ids the export stores
        assertEquals(22_713_216 + 512, minilm.parameters());
        assertEquals(384L, minilm.config().get("hidden_size"));
        assertEquals(6L, minilm.config().get("num_hidden_layers"));
        assertTrue(minilm.card().markdown().startsWith("---\nlicense: apache-2.0\n"), minilm.card().markdown());
        assertEquals(Openness.Level.PARTLY_OPEN, minilm.openness().levels().get(Openness.Part.TRAINING_DATA));
        try (ModelFile file = ModelFiles.open(minilm.file())) {
            ParameterBudget budget = ParameterBudget.of(file);
            assertEquals(0, budget.count(Component.OTHER), "every MiniLM tensor has a component");
            assertEquals(30522L * 384 + 512 * 384 + 2 * 384 + 512, budget.count(Component.EMBEDDINGS));   // words, positions, token types, position ids
            assertEquals(file.parameterCount(), budget.total());
        }
        assertTrue(catalog.find("tiny-llama-random").orElseThrow().card().body().contains("random weights"));
        // the random models' counts come from their files' headers; they must agree with the weights generated
        assertEquals(TinyLlamaRandom.weights().stream().mapToLong(dev.glassbox.explorer.tensor.Tensor::elementCount).sum(),
                catalog.find("tiny-llama-random-q4_0").orElseThrow().parameters());
        assertEquals(TinyGpt2Random.weights().stream().mapToLong(dev.glassbox.explorer.tensor.Tensor::elementCount).sum(),
                catalog.find("tiny-gpt2-random").orElseThrow().parameters());
    }

    /** A kernel reads the server's folder read-only: a complete folder is opened without a single write. */
    @Test
    void aPreparedFolderIsReadWithoutWriting() throws Exception {
        Path cache = dir.resolve("cache");
        ModelCatalog.load(cache, null);
        Map<Path, FileTime> before = snapshot(cache);
        ModelCatalog prepared = ModelCatalog.loadPrepared(cache);
        assertEquals(ModelCatalog.load(cache, null).entries().stream().map(ModelEntry::id).toList(),
                prepared.entries().stream().map(ModelEntry::id).toList());
        assertEquals(List.of(), prepared.problems());
        assertEquals(before, snapshot(cache), "reading the prepared folder, and preparing it again, wrote nothing");
    }

    @Test
    void anIncompletePreparedFolderIsAClearErrorNotAWrite() throws Exception {
        Path cache = dir.resolve("cache");
        ModelCatalog.load(cache, null);
        Files.delete(cache.resolve("minilm").resolve(MiniLmL6.MARKER));      // as if the server were still copying
        IOException minilm = assertThrows(IOException.class, () -> ModelCatalog.loadPrepared(cache));
        assertTrue(minilm.getMessage().contains("all-MiniLM-L6-v2 is not ready") && minilm.getMessage().contains("run the cell again"),
                minilm.getMessage());
        assertFalse(Files.exists(cache.resolve("minilm").resolve(MiniLmL6.MARKER)), "the reader wrote the marker");

        ModelCatalog.load(cache, null);
        Files.delete(cache.resolve("tiny-gpt2-random/tokenizer.json"));
        IOException gpt2 = assertThrows(IOException.class, () -> ModelCatalog.loadPrepared(cache));
        assertTrue(gpt2.getMessage().contains("tiny-gpt2-random") && gpt2.getMessage().contains("tokenizer.json is missing"), gpt2.getMessage());
        assertFalse(Files.exists(cache.resolve("tiny-gpt2-random/tokenizer.json")));

        IOException none = assertThrows(IOException.class, () -> ModelCatalog.loadPrepared(dir.resolve("nowhere")));
        assertTrue(none.getMessage().contains("does not exist"), none.getMessage());
    }

    /** Every file under {@code root} with its modification time. */
    private static Map<Path, FileTime> snapshot(Path root) throws IOException {
        Map<Path, FileTime> times = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.toList()) times.put(root.relativize(p), Files.getLastModifiedTime(p));
        }
        return times;
    }

    @Test
    void tinyLlamaIsDeterministicAndItsExportsHoldTheSameWeights() throws Exception {
        List<ModelEntry> first = TinyLlamaRandom.entries(dir.resolve("a"));
        TinyLlamaRandom.entries(dir.resolve("b"));
        assertEquals(-1, Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("b/model.safetensors")));
        assertEquals(-1, Files.mismatch(dir.resolve("a/tiny-llama-random-q4_0.gguf"), dir.resolve("b/tiny-llama-random-q4_0.gguf")));
        try (ModelFile hf = ModelFiles.open(first.get(0).file());
             ModelFile f32 = ModelFiles.open(first.get(1).file());
             ModelFile q8 = ModelFiles.open(first.get(2).file())) {
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

    @Test
    void aHuggingFaceCacheIsReadAtItsMainRevisionWithTheCardBesideTheWeights() throws Exception {
        Path hub = Files.createDirectories(dir.resolve("hub"));
        TinyLlamaRandom.entries(dir.resolve("gen2"));
        // the cache's layout: blobs by hash, snapshots of symbolic links to them, refs/main naming the revision
        Path repo = hub.resolve("models--acme--tiny-llama");
        Path blob = Files.copy(dir.resolve("gen2/model.safetensors"), Files.createDirectories(repo.resolve("blobs")).resolve("3f2a9c"));
        Path current = Files.createDirectories(repo.resolve("snapshots/abc1234"));
        Path older = Files.createDirectories(repo.resolve("snapshots/0ld0000"));
        Files.createSymbolicLink(current.resolve("model.safetensors"), current.relativize(blob));
        Files.createSymbolicLink(older.resolve("model.safetensors"), older.relativize(blob));
        Files.writeString(current.resolve("README.md"), "---\nlicense: mit\ndatasets:\n- acme/stories\npipeline_tag: text-generation\n---\n"
                + "# Tiny llama\n\n## Uses\n\nReading its weights.\n");
        Files.writeString(older.resolve("README.md"), "---\nlicense: [unclosed\n---\n");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "abc1234\n");

        ModelCatalog catalog = ModelCatalog.load(dir.resolve("cache2"), hub);
        ModelEntry cached = catalog.find("user-acme-tiny-llama-model-safetensors").orElseThrow(() -> new AssertionError(catalog.entries()));
        assertEquals("acme/tiny-llama", cached.name());
        assertEquals("llama", cached.family());
        assertEquals("mit", cached.card().license());
        assertEquals(List.of("acme/stories"), cached.card().datasets());
        assertEquals("Reading its weights.", cached.card().intendedUse());
        assertEquals(Openness.LicenceType.OSI_APPROVED, cached.openness().licenceType());
        assertTrue(cached.source().contains("README.md"), cached.source());
        assertEquals(List.of(), catalog.problems(), "the older snapshot's broken card is not read: refs/main names the other");

        Files.delete(repo.resolve("refs/main"));
        Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        ModelCatalog newest = ModelCatalog.load(dir.resolve("cache3"), hub);
        assertEquals(1, newest.problems().size(), newest.problems().toString());
        assertTrue(newest.problems().getFirst().contains("README.md") && newest.problems().getFirst().contains("built from the file"),
                newest.problems().toString());
        assertEquals(Openness.LicenceType.NONE, newest.find("user-acme-tiny-llama-model-safetensors").orElseThrow().openness().licenceType(),
                "without refs/main the newest snapshot; its unreadable card gives way to the file's own facts");
    }
}
