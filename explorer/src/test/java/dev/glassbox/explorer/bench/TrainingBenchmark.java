package dev.glassbox.explorer.bench;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.AdamW;
import dev.glassbox.explorer.training.Batch;
import dev.glassbox.explorer.training.LlamaConfig;
import dev.glassbox.explorer.training.Schedule;
import dev.glassbox.explorer.training.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training speed on one thread: whole steps (forward, backward, clipping, AdamW) of small Llama-style configs, in
 * tokens per second (batch * seqLen / step time, the median of the timed steps after a 15 s warm-up), with the vector
 * kernels, then with the scalar twins in a child JVM started with {@code -Dglassbox.vector.bits=0}.
 * Prints {@code RESULT train_tokens_per_s_<config>_<vector|scalar>=X}.
 * Run: {@code java --add-modules jdk.incubator.vector -cp <test classpath> dev.glassbox.explorer.bench.TrainingBenchmark}
 * (argument {@code --here} measures only the kernels this JVM runs).
 */
public final class TrainingBenchmark {
    /** name, config, batch, seqLen. */
    record Case(String name, LlamaConfig config, int batch, int seqLen) {}

    static final List<Case> CASES = List.of(
            new Case("d64_l2_s64_b16", new LlamaConfig(128, 64, 2, 4, 2, 192, 64, 10000, 1e-5, false), 16, 64),
            new Case("d128_l4_s128_b8", new LlamaConfig(256, 128, 4, 4, 2, 384, 128, 10000, 1e-5, false), 8, 128),
            new Case("d256_l4_s256_b8", new LlamaConfig(512, 256, 4, 8, 4, 768, 256, 10000, 1e-5, false), 8, 256),
            new Case("attn_d64_l2_s64_b32", new LlamaConfig(64, 64, 2, 4, 4, 0, 64, 10000, 1e-5, true), 32, 64));

    public static void main(String[] args) throws IOException, InterruptedException {
        Kernels.setThreads(1);
        String mode = Kernels.vectorBits() == 0 ? "scalar" : "vector";
        for (Case c : CASES) {
            double tokensPerSecond = measure(c, WARMUP_NANOS, mode.equals("vector") ? 15 : 5);
            System.out.printf(Locale.ROOT, "RESULT train_tokens_per_s_%s_%s=%.0f%n", c.name(), mode, tokensPerSecond);
        }
        if (args.length > 0 && args[0].equals("--here")) return;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dglassbox.vector.bits=0", "-Xmx2g",
                "-cp", System.getProperty("java.class.path"), TrainingBenchmark.class.getName(), "--here"));
        Process child = new ProcessBuilder(command).inheritIO().start();
        child.waitFor();
    }

    /**
     * Steps run before timing: long enough for the JIT to compile the kernels (an interpreted Vector API kernel is
     * slower than the plain loop; on a loaded machine the compiler threads need seconds).
     */
    static final long WARMUP_NANOS = 15_000_000_000L;

    static double measure(Case c, long warmupNanos, int timed) {
        SplittableRandom random = new SplittableRandom(1);
        int n = c.batch() * c.seqLen();
        Trainer trainer = Trainer.fresh(c.config(), step -> {
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = random.nextInt(c.config().vocab());
            return Batch.nextToken(tokens, c.batch(), c.seqLen());
        }, new Trainer.Settings(Schedule.constant(1e-3f), AdamW.Settings.DEFAULT, 1.0, 1));
        long start = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - start < warmupNanos; i++) trainer.step(null);
        double[] rates = new double[timed];
        for (int i = 0; i < timed; i++) rates[i] = trainer.step(null).tokensPerSecond();
        Arrays.sort(rates);
        return rates[timed / 2];
    }
}
