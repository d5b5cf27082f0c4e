package dev.glassbox.explorer.training;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.glassbox.explorer.training.TrainableLlamaTest.TINY;
import static dev.glassbox.explorer.training.TrainableLlamaTest.randomModel;
import static dev.glassbox.explorer.training.TrainableLlamaTest.randomTokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraAdapterTest {
    static final LoraSettings EVERY = new LoraSettings(3, 5, EnumSet.allOf(Projection.class));

    /** An adapter whose B is not zero, so both paths of the gradient matter. */
    static LoraAdapter trainedLooking(LlamaConfig c, LoraSettings s, long seed) {
        LoraAdapter lora = new LoraAdapter(c, s, seed);
        Random r = new Random(seed + 1);
        for (Parameter p : lora.parameters()) {
            if (p.name().contains("lora_B")) for (int i = 0; i < p.size(); i++) p.values()[i] = (float) (0.2 * r.nextGaussian());
        }
        return lora;
    }

    /** The base weights in double with (alpha/r) B A added to every adapted projection: the reference's view of LoRA. */
    static Map<String, double[]> merged(TrainableLlama model, LoraAdapter lora, Map<String, double[]> a, Map<String, double[]> b) {
        Map<String, double[]> w = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            double[] v = new double[p.size()];
            for (int i = 0; i < v.length; i++) v[i] = p.values()[i];
            w.put(p.name(), v);
        }
        int r = lora.settings().rank();
        double s = (double) lora.settings().alpha() / r;
        for (int l = 0; l < model.config().layers(); l++) {
            for (Projection p : lora.settings().orderedTargets()) {
                double[] av = a.get(LoraAdapter.name(l, p, "A")), bv = b.get(LoraAdapter.name(l, p, "B")), wv = w.get(p.path(l) + ".weight");
                int in = LoraAdapter.in(model.config(), p), out = LoraAdapter.out(model.config(), p);
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < in; j++) {
                        double sum = 0;
                        for (int k = 0; k < r; k++) sum += bv[i * r + k] * av[k * in + j];
                        wv[i * in + j] += s * sum;
                    }
                }
            }
        }
        return w;
    }

    static Map<String, double[]> doubles(List<Parameter> params, String which) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (Parameter p : params) {
            if (!p.name().contains(which)) continue;
            double[] v = new double[p.size()];
            for (int i = 0; i < v.length; i++) v[i] = p.values()[i];
            m.put(p.name(), v);
        }
        return m;
    }

    @Test
    void gradientsOfAAndBMatchFiniteDifferencesOfADoubleModel() {
        TrainableLlama model = randomModel(TINY, 7);
        LoraAdapter lora = trainedLooking(TINY, EVERY, 3);
        model.attach(lora);
        Random r = new Random(11);
        int batch = 2, s = 9;
        int[] tokens = randomTokens(r, batch * s, TINY.vocab()), targets = randomTokens(r, batch * s, TINY.vocab());
        targets[4] = -1;
        model.zeroGradients();
        float loss = model.lossAndGradients(tokens, targets, batch, s);

        Map<String, double[]> a = doubles(lora.parameters(), "lora_A"), b = doubles(lora.parameters(), "lora_B");
        double reference = ReferenceLlama.loss(TINY, merged(model, lora, a, b), tokens, targets, batch, s);
        assertEquals(reference, loss, 1e-5 * reference, "the float loss with an adapter and the double reference of W + (alpha/r) B A");
        for (Parameter p : lora.parameters()) {
            double[] v = (p.name().contains("lora_A") ? a : b).get(p.name());
            double diff = 0, norm = 0;
            for (int probe = 0; probe < 5; probe++) {
                int i = r.nextInt(p.size());
                double keep = v[i], h = 1e-5;
                v[i] = keep + h;
                double plus = ReferenceLlama.loss(TINY, merged(model, lora, a, b), tokens, targets, batch, s);
                v[i] = keep - h;
                double minus = ReferenceLlama.loss(TINY, merged(model, lora, a, b), tokens, targets, batch, s);
                v[i] = keep;
                double numeric = (plus - minus) / (2 * h), analytic = p.grads()[i];
                diff += (numeric - analytic) * (numeric - analytic);
                norm += numeric * numeric;
            }
            assertTrue(norm > 0, p.name() + ": the probed gradient entries are all zero");
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel <= 1e-4, p.name() + ": gradient relative error " + rel);
        }
        for (Parameter p : model.parameters()) {
            if (p.shape().length == 2) for (float g : p.grads()) assertEquals(0f, g, p.name() + ": a frozen matrix gets no gradient");
        }
    }

    @Test
    void aFreshAdapterChangesNothingAndAMergedOneGivesTheSameLogits() {
        TrainableLlama model = randomModel(TINY, 5);
        int[] tokens = randomTokens(new Random(2), 14, TINY.vocab());
        float[] base = model.logits(tokens, 1, tokens.length);
        model.attach(new LoraAdapter(TINY, EVERY, 1));
        assertArrayEquals(base, model.logits(tokens, 1, tokens.length), "B = 0: the adapter adds exact zeros");
        model.detach();

        model.attach(trainedLooking(TINY, EVERY, 9));
        float[] adapted = model.logits(tokens, 1, tokens.length);
        double moved = 0;
        for (int i = 0; i < base.length; i++) moved = Math.max(moved, Math.abs(adapted[i] - base[i]));
        assertTrue(moved > 0.1, "the adapter changes the logits, by at most " + moved);
        model.mergeAdapter();
        float[] merged = model.logits(tokens, 1, tokens.length);
        for (int i = 0; i < merged.length; i++) {
            assertEquals(adapted[i], merged[i], 1e-5, "logit " + i + ": base + adapter and the merged weights");
        }
        assertEquals(null, model.adapter());
    }

    @Test
    void trainingAnAdapterLeavesTheBaseBitIdenticalAndLowersTheLoss() {
        LlamaConfig c = TrainableLlamaTest.COPY;
        TrainableLlama model = new TrainableLlama(c);
        model.initialize(4);
        Map<String, float[]> before = model.snapshot();
        LoraAdapter lora = new LoraAdapter(c, new LoraSettings(8, 16, EnumSet.allOf(Projection.class)), 2);
        model.attach(lora);
        assertEquals(lora.parameters(), model.trainableParameters());
        BatchSource copy = TrainableLlamaTest.copyTask(1, 16, c.vocab());
        Trainer trainer = new Trainer(model, copy, TrainableLlamaTest.settings(150, 1));
        float[] first = new float[1], last = new float[1];
        trainer.run(150, p -> {
            if (p.step() == 1) first[0] = p.loss();
            last[0] = p.loss();
        });
        for (Map.Entry<String, float[]> e : model.snapshot().entrySet()) {
            assertArrayEquals(before.get(e.getKey()), e.getValue(), e.getKey() + " is frozen under LoRA");
        }
        assertTrue(last[0] < first[0] - 0.5, "the adapter learns: loss " + first[0] + " -> " + last[0]);
    }

    @Test
    void trainableParametersAreRTimesInPlusOutPerAdaptedProjection() {
        TrainableLlama model = randomModel(TINY, 1);    // d 24, kv 12, d_mlp 20, 2 layers
        model.attach(new LoraAdapter(TINY, LoraSettings.of(4, 8, List.of("q_proj", "v")), 0));
        assertEquals(2 * (4 * (24 + 24) + 4 * (24 + 12)), model.trainableParameterCount());
        model.detach();
        assertEquals(model.parameterCount(), model.trainableParameterCount());
        assertEquals(2 * 3 * ((24 + 24) + (24 + 12) + (24 + 12) + (24 + 24) + (24 + 20) + (24 + 20) + (20 + 24)),   // q k v o gate up down
                new LoraAdapter(TINY, EVERY, 0).parameterCount());
        assertThrows(IllegalArgumentException.class, () -> new LoraAdapter(TrainableLlamaTest.ATTENTION_ONLY,
                LoraSettings.of(2, 2, List.of("gate_proj")), 0));
        assertThrows(IllegalArgumentException.class, () -> LoraSettings.of(0, 2, List.of("q")));
        assertThrows(IllegalArgumentException.class, () -> LoraSettings.of(2, 2, List.of("qq")));
    }

    @Test
    void anAdapterSavesAsPeftFilesAndLoadsBack(@TempDir Path dir) throws IOException {
        TrainableLlama model = randomModel(TINY, 5);
        LoraAdapter lora = trainedLooking(TINY, LoraSettings.of(2, 4, List.of("q_proj", "down_proj")), 4);
        model.attach(lora);
        int[] tokens = randomTokens(new Random(6), 10, TINY.vocab());
        float[] adapted = model.logits(tokens, 1, tokens.length);
        lora.save(dir, "tiny");
        String config = Files.readString(dir.resolve(LoraAdapter.CONFIG));
        assertTrue(config.contains("\"peft_type\" : \"LORA\"") && config.contains("\"q_proj\", \"down_proj\""), config);
        try (ModelFile f = ModelFiles.open(dir.resolve(LoraAdapter.WEIGHTS))) {
            assertTrue(f.find("base_model.model.model.layers.1.mlp.down_proj.lora_A.weight").isPresent());
            assertEquals(lora.parameterCount(), f.parameterCount());
        }
        model.detach();
        model.attach(LoraAdapter.load(dir, TINY));
        assertArrayEquals(adapted, model.logits(tokens, 1, tokens.length));
    }
}
