package dev.glassbox.explorer.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch as the outside oracle: for each fixture, the loss and every parameter gradient of one step, computed by
 * PyTorch in float64 on the same weights and batch (written by the fixture script in the repository), against
 * Glassbox's float32 loss and gradients: ||g - ref|| / ||ref|| <= 1e-4 per tensor.
 * Fixtures in {@code src/test/resources/training/torch/}: {@code <name>.config.json} (Hugging Face keys),
 * {@code <name>.weights.safetensors}, {@code <name>.batch.json} ({"tokens": [[...]], "targets": [[...]]}, -1 ignored),
 * {@code <name>.grads.safetensors} and {@code <name>.loss.json} ({"loss": x}).
 */
class TorchParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path fixture(String file) throws URISyntaxException {
        URL url = TorchParityTest.class.getResource("/training/torch/" + file);
        assertNotNull(url, "PyTorch fixture training/torch/" + file + " expected in explorer/src/test/resources, found none: "
                + "run the fixture script (PyTorch) that writes them");
        return Path.of(url.toURI());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "attn-only"})
    void lossAndGradientsMatchPyTorch(String name) throws IOException, URISyntaxException {
        LlamaConfig config = LlamaConfig.read(fixture(name + ".config.json"));
        TrainableLlama model = new TrainableLlama(config);
        model.readValues(fixture(name + ".weights.safetensors"), Map.of());

        JsonNode batchJson = JSON.readTree(Files.readString(fixture(name + ".batch.json")));
        JsonNode tokenRows = batchJson.get("tokens"), targetRows = batchJson.get("targets");
        int batch = tokenRows.size(), seqLen = tokenRows.get(0).size();
        int[] tokens = new int[batch * seqLen], targets = new int[batch * seqLen];
        for (int b = 0; b < batch; b++) {
            assertEquals(seqLen, tokenRows.get(b).size(), name + ": every sequence of the same length expected");
            for (int i = 0; i < seqLen; i++) {
                tokens[b * seqLen + i] = tokenRows.get(b).get(i).asInt();
                targets[b * seqLen + i] = targetRows.get(b).get(i).asInt();
            }
        }
        double expectedLoss = JSON.readTree(Files.readString(fixture(name + ".loss.json"))).get("loss").asDouble();

        model.zeroGradients();
        float loss = model.lossAndGradients(tokens, targets, batch, seqLen);
        assertEquals(expectedLoss, loss, 1e-5 * Math.abs(expectedLoss), name + ": loss");

        try (ModelFile grads = ModelFiles.open(fixture(name + ".grads.safetensors"))) {
            for (Parameter p : model.parameters()) {
                Tensor t = grads.find(p.name()).orElseThrow(() -> new AssertionError(name + ": gradient of " + p.name() + " expected in the fixture, found none"));
                assertEquals(p.size(), t.elementCount(), name + ": " + p.name() + " size");
                float[] ref = t.toFloatArray();
                double diff = 0, norm = 0;
                for (int i = 0; i < ref.length; i++) {
                    diff += (p.grads()[i] - (double) ref[i]) * (p.grads()[i] - (double) ref[i]);
                    norm += (double) ref[i] * ref[i];
                }
                assertTrue(norm > 0, name + ": the reference gradient of " + p.name() + " is all zero");
                double rel = Math.sqrt(diff / norm);
                assertTrue(rel <= 1e-4, name + ": " + p.name() + " gradient relative error " + rel + " > 1e-4");
            }
        }
    }
}
