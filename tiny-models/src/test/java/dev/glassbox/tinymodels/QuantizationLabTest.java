package dev.glassbox.tinymodels;

import dev.glassbox.explorer.quantization.QuantizationError;
import dev.glassbox.explorer.quantization.QuantizationLab;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.recipes.Recipe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantization lab on shipped models: what Q8_0 and Q4_0 cost tiny-stories and MiniLM. */
class QuantizationLabTest {
    @TempDir static Path dir;
    static ModelCatalog catalog;

    @BeforeAll
    static void load() throws Exception {
        catalog = ModelCatalog.load(dir.resolve("cache"), null);
    }

    @Test
    void tinyStoriesKeepsItsHeldOutLoss() throws Exception {
        ModelEntry entry = catalog.find("tiny-stories").orElseThrow();
        QuantizationLab.Report r = QuantizationLab.run(entry.file(), List.of(DType.Q8_0, DType.Q4_0), QuantizationInputs.of(entry), p -> {});
        for (QuantizationLab.Variant v : r.variants()) {
            System.out.printf("tiny-stories %-5s %9d bytes  loss %.4f  perplexity %.4f  %6.1f tokens/s (%.1f..%.1f)  %s%n", v.type(),
                    v.weightBytes(), v.heldOutLoss(), v.perplexity(), v.speed().median(), v.speed().min(), v.speed().max(),
                    v.generations().getFirst().text().replace('\n', ' '));
        }
        double f32 = r.variant(DType.F32).heldOutLoss(), q8 = r.variant(DType.Q8_0).heldOutLoss(), q4 = r.variant(DType.Q4_0).heldOutLoss();
        double card = TrainedModel.trainingRecord(Recipe.TINY_STORIES).path("held_out").path("held_out_loss").asDouble();
        assertEquals(card, f32, 1e-3 * card, "the lab scores the same held-out windows as the training run");
        assertTrue(Math.abs(q8 - f32) <= 0.01 * f32, "Q8_0 within 1% of F32: " + q8 + " vs " + f32);
        assertTrue(Math.abs(q4 - f32) <= 0.10 * f32, "Q4_0 within 10% of F32: " + q4 + " vs " + f32);
        assertTrue(q4 > q8, "fewer bits cost more: Q4_0 " + q4 + ", Q8_0 " + q8);
        long f32Bytes = r.variant(DType.F32).weightBytes();
        assertTrue(r.variant(DType.Q8_0).weightBytes() < f32Bytes * 0.3, "Q8_0 keeps 34 of 128 bytes per block");
        assertTrue(r.variant(DType.Q4_0).weightBytes() < f32Bytes * 0.17, "Q4_0 keeps 18 of 128 bytes per block");
        // every 2-D weight of tiny-stories has rows of whole blocks: the embeddings, 4 layers x 7 projections, the head
        assertEquals(1 + 4 * 7 + 1, r.tensors(DType.Q8_0).size());
        for (QuantizationError e : r.tensors(DType.Q8_0)) {
            QuantizationError q4e = r.tensors(DType.Q4_0).stream().filter(x -> x.name().equals(e.name())).findFirst().orElseThrow();
            assertTrue(q4e.rms() > e.rms(), e.name() + ": Q4_0's error exceeds Q8_0's");
        }
    }

    /** Every decoder of the catalog (Llama and GPT-2, safetensors and GGUF, attention-only too) goes through the lab. */
    @Test
    void everyDecoderInTheCatalogQuantizes() throws Exception {
        for (ModelEntry entry : catalog.entries()) {
            if (entry.encoder()) continue;
            QuantizationLab.Inputs full = QuantizationInputs.of(entry);
            QuantizationLab.Inputs quick = new QuantizationLab.Inputs(full.heldOut().subList(0, Math.min(2, full.heldOut().size())),
                    full.prompts().subList(0, 1), 4, 4, 1, List.of(), List.of());
            QuantizationLab.Report r = QuantizationLab.run(entry.file(), List.of(DType.Q8_0, DType.Q4_0), quick, p -> {});
            assertEquals(3, r.variants().size(), entry.id());
            for (QuantizationLab.Variant v : r.variants()) {
                assertEquals(1, v.generations().size(), entry.id());
                assertTrue(v.speed().median() > 0, entry.id());
                assertTrue(quick.heldOut().isEmpty() || Double.isFinite(v.heldOutLoss()), entry.id() + " " + v.type());
            }
        }
    }

    @Test
    void miniLmEmbeddingsAndRetrieval() throws Exception {
        ModelEntry entry = catalog.find("all-minilm-l6-v2").orElseThrow();
        QuantizationLab.Report r = QuantizationLab.run(entry.file(), List.of(DType.Q8_0, DType.Q4_0), QuantizationInputs.of(entry), p -> {});
        for (QuantizationLab.Variant v : r.variants()) {
            QuantizationLab.Embeddings e = v.embeddings();
            System.out.printf("MiniLM %-5s %9d bytes  cosine to F32 mean %.6f min %.6f  retrieval %d/%d same top  %.1f sentences/s%n",
                    v.type(), v.weightBytes(), e.meanCosine(), e.minCosine(), e.sameTop(), e.queries(), v.speed().median());
        }
        QuantizationLab.Embeddings f32 = r.variant(DType.F32).embeddings(), q8 = r.variant(DType.Q8_0).embeddings(), q4 = r.variant(DType.Q4_0).embeddings();
        assertEquals(1.0, f32.meanCosine(), 1e-6, "F32 against itself");
        assertEquals(f32.queries(), f32.sameTop());
        assertTrue(q8.meanCosine() > 0.99, "Q8_0 embeddings stay close: " + q8.meanCosine());
        assertTrue(q4.meanCosine() < q8.meanCosine(), "Q4_0 moves them further than Q8_0");
        assertTrue(q8.sameTop() >= q8.queries() - 1, "Q8_0 finds the same sentences: " + q8.sameTop() + "/" + q8.queries());
        // each query finds the sentence it paraphrases with F32 (the test means something)
        for (QuantizationLab.Retrieval x : f32.retrievals()) System.out.println("  " + x.query() + " -> " + x.expected());
    }
}
