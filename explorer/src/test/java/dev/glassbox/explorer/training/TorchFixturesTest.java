package dev.glassbox.explorer.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.Format;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.models.Hooks;
import dev.glassbox.explorer.models.Llama;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PyTorch fixtures in {@code training/torch/} (written by {@code src/test/python/torch_fixtures.py}) are
 * readable by Glassbox and describe the model Glassbox runs: every file opens with Glassbox's readers, holds
 * exactly the tensors its config implies, and llama-tiny's PyTorch logits equal {@link Llama}'s.
 */
class TorchFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Glassbox's Llama runs in float32; PyTorch's logits are float64 from the same float32 weights. */
    private static final double LOGIT_TOLERANCE = 1e-4;

    /** The folder of the fixtures on the test class path. */
    static Path fixtures() throws URISyntaxException {
        URL url = TorchFixturesTest.class.getClassLoader().getResource("training/torch/README.md");
        if (url == null) throw new IllegalStateException("training/torch/README.md expected on the test class path");
        return Path.of(url.toURI()).getParent();
    }

    /** The Hugging Face names and shapes a Llama config implies, in the order the script writes them. */
    static Map<String, Shape> expectedShapes(HfConfig c) {
        long d = c.hiddenSize(), vocab = c.vocabSize(), ff = c.intermediateSize();
        long kvDim = (long) c.numKeyValueHeads() * (d / c.numAttentionHeads());
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", Shape.of(vocab, d));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "input_layernorm.weight", Shape.of(d));
            shapes.put(p + "self_attn.q_proj.weight", Shape.of(d, d));
            shapes.put(p + "self_attn.k_proj.weight", Shape.of(kvDim, d));
            shapes.put(p + "self_attn.v_proj.weight", Shape.of(kvDim, d));
            shapes.put(p + "self_attn.o_proj.weight", Shape.of(d, d));
            if (ff > 0) {
                shapes.put(p + "post_attention_layernorm.weight", Shape.of(d));
                shapes.put(p + "mlp.gate_proj.weight", Shape.of(ff, d));
                shapes.put(p + "mlp.up_proj.weight", Shape.of(ff, d));
                shapes.put(p + "mlp.down_proj.weight", Shape.of(d, ff));
            }
        }
        shapes.put("model.norm.weight", Shape.of(d));
        if (!c.tieWordEmbeddings()) shapes.put("lm_head.weight", Shape.of(vocab, d));
        return shapes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "attn-only"})
    void everyFixtureOpensWithTheTensorsItsConfigImplies(String name) throws Exception {
        Path dir = fixtures();
        HfConfig config = HfConfig.read(dir.resolve(name + ".config.json"));
        assertEquals("llama", config.modelType());
        Map<String, Shape> expected = expectedShapes(config);

        for (String kind : List.of("weights", "grads")) {
            try (ModelFile file = ModelFiles.open(dir.resolve(name + "." + kind + ".safetensors"))) {
                assertEquals(Format.SAFETENSORS, file.format());
                assertEquals("pt", file.metadata().get("format"), name + " " + kind + ": __metadata__.format");
                List<String> names = new ArrayList<>();
                for (Tensor t : file.tensors()) {
                    names.add(t.name());
                    assertEquals(DType.F32, t.dtype(), t.name());
                    assertEquals(expected.get(t.name()), t.shape(), name + " " + kind + ": shape of " + t.name());
                    float[] values = t.toFloatArray();
                    double sumSquares = 0;
                    for (float v : values) {
                        assertTrue(Float.isFinite(v), name + " " + kind + ": " + t.name() + " holds " + v);
                        sumSquares += (double) v * v;
                    }
                    // every weight takes part in the loss, so no gradient is zero throughout
                    assertTrue(sumSquares > 0, name + " " + kind + ": " + t.name() + " is all zeros");
                }
                assertEquals(List.copyOf(expected.keySet()), names, name + " " + kind + ": tensor names");
            }
        }

        JsonNode batch = JSON.readTree(dir.resolve(name + ".batch.json").toFile());
        JsonNode tokens = batch.get("tokens"), targets = batch.get("targets");
        assertEquals(tokens.size(), targets.size(), name + ": rows of tokens and targets");
        int ignored = 0, counted = 0;
        for (int row = 0; row < tokens.size(); row++) {
            assertEquals(tokens.get(row).size(), targets.get(row).size(), name + ": row " + row + " lengths");
            assertTrue(tokens.get(row).size() <= config.maxPositionEmbeddings(), name + ": row " + row + " longer than the context");
            for (int i = 0; i < tokens.get(row).size(); i++) {
                int token = tokens.get(row).get(i).intValue(), target = targets.get(row).get(i).intValue();
                assertTrue(token >= 0 && token < config.vocabSize(), name + ": token " + token + " outside the vocabulary");
                assertTrue(target >= -1 && target < config.vocabSize(), name + ": target " + target + " outside the vocabulary");
                if (target == -1) ignored++;
                else counted++;
            }
        }
        assertTrue(ignored > 0 && counted > 0, name + ": both ignored (-1) and counted targets expected, found " + ignored + " and " + counted);

        JsonNode loss = JSON.readTree(dir.resolve(name + ".loss.json").toFile());
        double value = loss.get("loss").doubleValue();
        assertTrue(Double.isFinite(value) && value > 0, name + ": a positive finite loss expected, found " + value);
        assertTrue(loss.get("torch_version").textValue().startsWith("1.13"), name + ": torch_version " + loss.get("torch_version"));
    }

    @Test
    void llamaTinyLogitsEqualGlassboxLlama(@TempDir Path model) throws Exception {
        Path dir = fixtures();
        Files.copy(dir.resolve("llama-tiny.config.json"), model.resolve("config.json"));
        Files.copy(dir.resolve("llama-tiny.weights.safetensors"), model.resolve("model.safetensors"));
        JsonNode firstRow = JSON.readTree(dir.resolve("llama-tiny.batch.json").toFile()).get("tokens").get(0);
        int[] tokens = new int[firstRow.size()];
        for (int i = 0; i < tokens.length; i++) tokens[i] = firstRow.get(i).intValue();
        JsonNode expected = JSON.readTree(dir.resolve("llama-tiny.logits.json").toFile()).get("logits");

        try (Llama llama = Llama.load(model)) {
            Transformer.Output out = llama.run(tokens, llama.newCache(), Hooks.none());   // (s, vocab)
            assertEquals(tokens.length, expected.size(), "rows of llama-tiny.logits.json");
            assertEquals(expected.get(0).size(), out.cols(), "vocabulary");
            double worst = 0;
            for (int row = 0; row < tokens.length; row++) {
                for (int v = 0; v < out.cols(); v++) {
                    double want = expected.get(row).get(v).doubleValue(), got = out.get(row, v);
                    // relative, with a floor of 1 so that logits near zero are held to 1e-4 absolute
                    double error = Math.abs(got - want) / Math.max(1, Math.abs(want));
                    worst = Math.max(worst, error);
                    assertTrue(error <= LOGIT_TOLERANCE, "logit (" + row + ", " + v + "): PyTorch " + want + ", Glassbox " + got);
                }
            }
            System.out.printf("llama-tiny: worst relative logit error, Glassbox Llama vs PyTorch: %.2e%n", worst);
        }
    }
}
