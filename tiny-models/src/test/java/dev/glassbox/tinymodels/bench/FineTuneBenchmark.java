package dev.glassbox.tinymodels.bench;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.recipes.FineTuneRun;
import dev.glassbox.tinymodels.recipes.FineTuneSettings;
import dev.glassbox.tinymodels.recipes.Recipe;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How long 50 fine-tuning steps of the shipped {@code tiny-stories} on the sea stories take on one thread, the way a
 * notebook cell runs them ({@link FineTuneRun} with {@link FineTuneSettings#LORA} and {@link FineTuneSettings#FULL}:
 * 4 windows of 128 tokens per step). After one warm-up run per method (C2 compiles the Vector API kernels), each method
 * runs {@code glassbox.bench.runs} times, alternating; a run's figures are the seconds in its 50 steps and the seconds
 * of the whole run (plus 11 held-out evaluations of both styles and the "before" generations). Printed: the median
 * with min and max, as {@code RESULT finetune_<method>_50_steps_s=X} and {@code RESULT finetune_<method>_run_s=X}.
 * The goal is 50 steps in at most 30 s.
 *
 * <p>Run: {@code ./mvnw -q -B -pl tiny-models -am -Pbench verify -Dbench.decode.skip=true -Dbench.training.skip=true}
 * (BENCHMARKS.md); property {@code glassbox.bench.runs} (5).
 */
public final class FineTuneBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = Integer.getInteger("glassbox.bench.runs", 5);
        Kernels.setThreads(1);
        Path base = Files.createTempDirectory("glassbox-finetune-bench").resolve("tiny-stories");
        Files.createDirectories(base);
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            try (InputStream in = FineTuneBenchmark.class.getClassLoader().getResourceAsStream(Recipe.TINY_STORIES.resource(file))) {
                if (in == null) throw new IllegalStateException("the shipped tiny-stories is not on the class path (" + file + ")");
                Files.copy(in, base.resolve(file));
            }
        }
        List<FineTuneSettings> methods = List.of(FineTuneSettings.LORA, FineTuneSettings.FULL);
        System.out.printf(Locale.ROOT, "Fine-tuning tiny-stories on the sea stories, 1 thread, vector width %d bits, %d runs per method%n",
                Kernels.vectorBits(), runs);
        for (FineTuneSettings s : methods) once(base, s.withSteps(10));          // warm-up
        double[][] steps = new double[methods.size()][runs], whole = new double[methods.size()][runs];
        float[][] sea = new float[methods.size()][2];
        for (int r = 0; r < runs; r++) {
            for (int m = 0; m < methods.size(); m++) {
                FineTuneRun run = new FineTuneRun(base, "tiny-stories", methods.get(m));
                FineTuneRun.Result result = once(run);
                steps[m][r] = result.stepSeconds();
                whole[m][r] = result.seconds();
                sea[m][0] = result.evaluations().getFirst().seaLoss();
                sea[m][1] = result.evaluations().getLast().seaLoss();
                System.out.printf(Locale.ROOT, "  run %d %s: 50 steps %.2f s, whole run %.2f s, %d trainable parameters, sea loss %.3f -> %.3f%n",
                        r + 1, methods.get(m).method().id(), steps[m][r], whole[m][r], run.trainableParameterCount(), sea[m][0], sea[m][1]);
            }
        }
        for (int m = 0; m < methods.size(); m++) {
            String id = methods.get(m).method().id();
            System.out.printf(Locale.ROOT, "%s: 50 steps median %.2f s (min %.2f, max %.2f); whole run median %.2f s (min %.2f, max %.2f)%n",
                    id, median(steps[m]), min(steps[m]), max(steps[m]), median(whole[m]), min(whole[m]), max(whole[m]));
            System.out.printf(Locale.ROOT, "RESULT finetune_%s_50_steps_s=%.2f%n", id, median(steps[m]));
            System.out.printf(Locale.ROOT, "RESULT finetune_%s_run_s=%.2f%n", id, median(whole[m]));
        }
    }

    private static FineTuneRun.Result once(Path base, FineTuneSettings s) throws Exception {
        return once(new FineTuneRun(base, "tiny-stories", s));
    }

    private static FineTuneRun.Result once(FineTuneRun run) {
        return run.run(new FineTuneRun.Listener() {
            @Override public void onStep(Trainer.Progress progress) {}
        });
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] x) { return Arrays.stream(x).min().orElse(Double.NaN); }

    static double max(double[] x) { return Arrays.stream(x).max().orElse(Double.NaN); }
}
