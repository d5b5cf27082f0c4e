package dev.glassbox.explorer.training;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.models.Llama;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainableLlamaTest {
    /** d 24 in 4 heads of 6 sharing 2 kv heads, MLP 20: sizes that are not multiples of a vector. */
    static final LlamaConfig TINY = new LlamaConfig(19, 24, 2, 4, 2, 20, 16, 10000, 1e-5, false);
    static final LlamaConfig ATTENTION_ONLY = new LlamaConfig(19, 24, 2, 4, 4, 0, 16, 10000, 1e-5, true);

    /** Weights large enough that every path matters: matrices N(0, 1/in), norm gains 1 + N(0, 0.1^2). */
    static TrainableLlama randomModel(LlamaConfig c, long seed) {
        TrainableLlama model = new TrainableLlama(c);
        Random r = new Random(seed);
        for (Parameter p : model.parameters()) {
            float[] w = p.values();
            double std = p.shape().length == 1 ? 0.1 : p.name().contains("embed") ? 1 : 1 / Math.sqrt(p.shape()[1]);
            for (int i = 0; i < w.length; i++) w[i] = (float) ((p.shape().length == 1 ? 1 : 0) + std * r.nextGaussian());
        }
        return model;
    }

    static int[] randomTokens(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gqa-mlp", "attention-only-tied"})
    void gradientsMatchFiniteDifferencesOfADoubleModel(String which) {
        LlamaConfig c = which.equals("gqa-mlp") ? TINY : ATTENTION_ONLY;
        TrainableLlama model = randomModel(c, 7);
        Random r = new Random(11);
        int batch = 2, s = 9;
        int[] tokens = randomTokens(r, batch * s, c.vocab()), targets = randomTokens(r, batch * s, c.vocab());
        targets[3] = -1;
        targets[s + 8] = -1;
        model.zeroGradients();
        float loss = model.lossAndGradients(tokens, targets, batch, s);

        Map<String, double[]> w = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            double[] v = new double[p.size()];
            for (int i = 0; i < v.length; i++) v[i] = p.values()[i];
            w.put(p.name(), v);
        }
        double reference = ReferenceLlama.loss(c, w, tokens, targets, batch, s);
        assertEquals(reference, loss, 1e-5 * reference, "the float loss and the double reference");
        for (Parameter p : model.parameters()) {
            double[] v = w.get(p.name());
            double diff = 0, norm = 0;
            for (int probe = 0; probe < 6; probe++) {
                int i = r.nextInt(p.size());
                double keep = v[i], h = 1e-5;
                v[i] = keep + h;
                double plus = ReferenceLlama.loss(c, w, tokens, targets, batch, s);
                v[i] = keep - h;
                double minus = ReferenceLlama.loss(c, w, tokens, targets, batch, s);
                v[i] = keep;
                double numeric = (plus - minus) / (2 * h), analytic = p.grads()[i];
                diff += (numeric - analytic) * (numeric - analytic);
                norm += numeric * numeric;
            }
            assertTrue(norm > 0, p.name() + ": the probed gradient entries are all zero");
            double rel = Math.sqrt(diff / norm);
            assertTrue(rel <= 1e-4, p.name() + ": gradient relative error " + rel);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gqa-mlp", "attention-only-tied"})
    void savedFolderRunsInLlamaWithTheSameLogits(String which, @TempDir Path dir) throws IOException {
        LlamaConfig c = which.equals("gqa-mlp") ? TINY : ATTENTION_ONLY;
        TrainableLlama model = randomModel(c, 3);
        model.save(dir);
        int[] tokens = randomTokens(new Random(5), 13, c.vocab());
        float[] trained = model.logits(tokens, 1, tokens.length);
        try (Llama llama = Llama.load(dir)) {
            assertEquals(c.hasMlp(), llama.architecture().hasMlp());
            float[] loaded = llama.logits(tokens);
            if (Kernels.vectorBits() != 0) {
                assertArrayEquals(trained, loaded, "the same kernels in the same order: the same bits");
            } else {                                    // the scalar RoPE computes its angles directly
                for (int i = 0; i < loaded.length; i++) assertEquals(trained[i], loaded[i], 1e-4f);
            }
        }
        TrainableLlama reread = TrainableLlama.load(dir);
        assertArrayEquals(trained, reread.logits(tokens, 1, tokens.length));
    }

    // ---------------------------------------------------------------- training runs

    /** A copy task: 8 random symbols, a separator, the same 8 again; the loss counts the copy only. */
    static BatchSource copyTask(long seed, int batch, int vocab) {
        int half = 8, s = 2 * half + 1;
        return step -> {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + step);
            int[] tokens = new int[batch * s], targets = new int[batch * s];
            for (int b = 0; b < batch; b++) {
                int o = b * s;
                for (int i = 0; i < half; i++) tokens[o + i] = tokens[o + half + 1 + i] = 1 + r.nextInt(vocab - 1);
                tokens[o + half] = 0;
                for (int i = 0; i < s; i++) targets[o + i] = i >= half && i + 1 < s ? tokens[o + i + 1] : -1;
            }
            return new Batch(tokens, targets, batch, s);
        };
    }

    static final LlamaConfig COPY = new LlamaConfig(12, 64, 2, 4, 2, 128, 32, 10000, 1e-5, false);

    static Trainer.Settings settings(int steps, long seed) {
        return new Trainer.Settings(new Schedule(3e-3f, 3e-4f, steps / 10, steps), AdamW.Settings.DEFAULT, 1.0, seed);
    }

    @Test
    void aTinyModelLearnsToCopy() {
        int steps = 400;
        Trainer trainer = Trainer.fresh(COPY, copyTask(1, 16, COPY.vocab()), settings(steps, 1));
        float[] first = new float[1], last = new float[1];
        trainer.run(steps, p -> {
            if (p.step() == 1) first[0] = p.loss();
            last[0] = p.loss();
        });
        Batch held = copyTask(999, 64, COPY.vocab()).next(0);
        float heldOut = trainer.model().loss(held.tokens(), held.targets(), held.batch(), held.seqLen());
        assertTrue(first[0] > 2.0, "starts near ln(11) = 2.4, found " + first[0]);
        assertTrue(heldOut < 0.1f, "after " + steps + " steps the copy is learnt: held-out loss " + heldOut + " (first " + first[0] + ", last " + last[0] + ")");
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Big enough (512 rows, attention over 64 positions) that matmuls and attention really split over 2 threads. */
    static final LlamaConfig SPLIT = new LlamaConfig(128, 64, 2, 4, 2, 192, 64, 10000, 1e-5, false);

    static BatchSource randomText(long seed, int batch, int s, int vocab) {
        return step -> {
            SplittableRandom r = new SplittableRandom(seed * 1_000_003L + step);
            int[] tokens = new int[batch * s];
            for (int i = 0; i < tokens.length; i++) tokens[i] = i % 3 == 0 ? r.nextInt(vocab) : (tokens[i - 1] * 7 + 3) % vocab;
            return Batch.nextToken(tokens, batch, s);
        };
    }

    @Test
    void oneAndTwoThreadsGiveTheSameWeights(@TempDir Path dir) throws IOException {
        int before = Kernels.threads();
        try {
            String[] hashes = new String[2];
            for (int threads = 1; threads <= 2; threads++) {
                Kernels.setThreads(threads);
                Trainer trainer = Trainer.fresh(SPLIT, randomText(4, 8, 64, SPLIT.vocab()), settings(20, 9));
                trainer.run(20, null);
                Path out = dir.resolve("t" + threads);
                trainer.model().save(out);
                hashes[threads - 1] = sha256(out.resolve("model.safetensors"));
            }
            assertEquals(hashes[0], hashes[1], "20 steps on 1 and on 2 threads");
            Kernels.setThreads(1);
            Trainer other = Trainer.fresh(SPLIT, randomText(4, 8, 64, SPLIT.vocab()), settings(20, 10));
            other.run(20, null);
            other.model().save(dir.resolve("seed10"));
            assertNotEquals(hashes[0], sha256(dir.resolve("seed10").resolve("model.safetensors")), "another seed, other weights");
        } finally {
            Kernels.setThreads(before);
        }
    }

    @Test
    void aResumedRunEqualsAnUnbrokenOne(@TempDir Path dir) throws IOException {
        BatchSource data = randomText(2, 4, 16, COPY.vocab());
        Trainer unbroken = Trainer.fresh(COPY, data, settings(30, 5));
        unbroken.run(30, null);

        Trainer first = Trainer.fresh(COPY, data, settings(30, 5));
        first.run(12, null);
        first.save(dir);
        Trainer resumed = Trainer.resume(dir, data);
        assertEquals(12, resumed.step());
        resumed.run(30, null);
        for (Parameter p : unbroken.model().parameters()) {
            assertArrayEquals(p.values(), resumed.model().parameter(p.name()).values(), p.name());
        }
        unbroken.save(dir.resolve("a"));
        resumed.save(dir.resolve("b"));
        assertEquals(sha256(dir.resolve("a/optimizer.safetensors")), sha256(dir.resolve("b/optimizer.safetensors")));
    }

    @Test
    void stopEndsARunBetweenSteps() {
        Trainer trainer = Trainer.fresh(COPY, copyTask(1, 4, COPY.vocab()), settings(100, 1));
        int done = trainer.run(100, p -> {
            if (p.step() == 3) trainer.stop();
        });
        assertEquals(3, done);
        assertEquals(3, trainer.step());
        assertEquals(2, trainer.run(5, null), "the stop request was consumed");
    }

    @Test
    void scheduleWarmsUpThenDecaysToTheFloor() {
        Schedule s = new Schedule(1f, 0.1f, 10, 110);
        assertEquals(0.1f, s.rate(0), 1e-7);
        assertEquals(1f, s.rate(9), 1e-7);
        assertEquals(1f, s.rate(10), 1e-7);
        assertEquals(0.55f, s.rate(60), 1e-6);
        assertEquals(0.1f, s.rate(110), 1e-7);
        assertEquals(0.1f, s.rate(500), 1e-7);
    }
}
