package dev.glassbox.explorer.formats.onnx;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.formats.Graph;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.tensor.TensorStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real all-MiniLM-L6-v2 export: 104 initializers, 36 of them anonymous MatMul weights. */
class MiniLmOnnxTest {
    static ModelFile model;

    @BeforeAll
    static void open() throws IOException {
        model = ModelFiles.open(MiniLm.onnx());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void allInitializersHaveBertNames() {
        List<Tensor> tensors = model.tensors();
        assertEquals(104, tensors.size());
        Set<String> names = new HashSet<>();
        for (Tensor t : tensors) {
            assertFalse(t.name().startsWith("onnx::"), t.name());
            assertTrue(t.name().matches("(embeddings|encoder\\.layer\\.[0-5]|pooler)\\.[A-Za-z_.]+"), t.name());
            names.add(t.name());
        }
        for (int layer = 0; layer < 6; layer++) {
            for (String module : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "intermediate.dense", "output.dense")) {
                assertTrue(names.contains("encoder.layer." + layer + "." + module + ".weight"), module + " of layer " + layer);
                assertTrue(names.contains("encoder.layer." + layer + "." + module + ".bias"), module + " bias of layer " + layer);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, String> renamed = (Map<String, String>) model.metadata().get("initializer_names");
        assertEquals(36, renamed.size());
        assertEquals("onnx::MatMul_885", renamed.get("encoder.layer.0.attention.self.query.weight"));
    }

    @Test
    void shapesAreAsStoredWithMatMulWeightsInByOut() {
        assertEquals(Shape.of(30522, 384), model.tensor("embeddings.word_embeddings.weight").shape());
        assertEquals(Shape.of(512, 384), model.tensor("embeddings.position_embeddings.weight").shape());
        assertEquals(Shape.of(2, 384), model.tensor("embeddings.token_type_embeddings.weight").shape());
        assertEquals(Shape.of(384, 384), model.tensor("encoder.layer.0.attention.self.query.weight").shape());
        assertEquals(Shape.of(384, 1536), model.tensor("encoder.layer.3.intermediate.dense.weight").shape());   // [in, out]
        assertEquals(Shape.of(1536, 384), model.tensor("encoder.layer.3.output.dense.weight").shape());
        assertEquals(Shape.of(1536), model.tensor("encoder.layer.5.intermediate.dense.bias").shape());
        assertEquals(DType.I64, model.tensor("embeddings.position_ids").dtype());
        @SuppressWarnings("unchecked")
        List<String> inOut = (List<String>) model.metadata().get("stored_in_out");
        assertEquals(36, inOut.size());
        assertTrue(inOut.contains("encoder.layer.3.intermediate.dense.weight"));
        assertFalse(inOut.contains("pooler.dense.weight"), "the pooler's Gemm uses transB=1: [out, in]");
        assertEquals(22_713_216L, model.parameterCount() - 512);          // 22.7M parameters besides the position ids
    }

    @Test
    void theGraphHasTheBertInputsAndOutputs() {
        Graph graph = model.graph().orElseThrow();
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), graph.inputs().stream().map(Graph.Value::name).toList());
        assertEquals(2, graph.outputs().size());
        assertEquals(List.of("batch", "Addoutput_0_dim_1", "384"), graph.outputs().getFirst().dims());
        assertEquals(48, graph.nodes().stream().filter(n -> n.opType().equals("MatMul")).count());
    }

    @Test
    void wordEmbeddingStatisticsLookLikeTrainedWeights() {
        Tensor embeddings = model.tensor("embeddings.word_embeddings.weight");
        TensorStats stats = embeddings.stats(64);
        TensorStats scalar = TensorStats.scalar(embeddings, 64);
        assertEquals(30522L * 384, stats.count());
        assertEquals(0, stats.nonFinite());
        assertTrue(stats.min() < -0.1f && stats.max() > 0.1f, stats.toString());
        assertTrue(Math.abs(stats.mean()) < 0.05 && stats.std() > 0.01 && stats.std() < 0.2, stats.toString());
        assertEquals(scalar.min(), stats.min());
        assertEquals(scalar.max(), stats.max());
        assertEquals(scalar.mean(), stats.mean(), 1e-6);
        assertEquals(scalar.std(), stats.std(), 1e-6);
        assertEquals(scalar.histogram(), stats.histogram());
        long total = 0;
        for (long c : stats.histogram().counts()) total += c;
        assertEquals(stats.count(), total);
    }
}
