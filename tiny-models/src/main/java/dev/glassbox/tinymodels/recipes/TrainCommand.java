package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code glassbox train RECIPE --out DIR [--steps N] [--seed S] [--threads T] [--quick]}: trains a recipe, printing
 * the step, loss, tokens/s and time left, then writes {@code DIR/<recipe id>} with {@link TrainingRun#save}.
 * The shipped models are the output of this command with the recipe's defaults.
 */
public final class TrainCommand {
    public static final String USAGE = """
            usage: glassbox train RECIPE --out DIR [--steps N] [--seed S] [--threads T] [--quick]
              RECIPE      one of %s
              --out DIR   where to write DIR/RECIPE (model.safetensors, config.json, tokenizer.json, MODEL_CARD.md, training.json)
              --steps N   optimiser steps (default: the recipe's, as the shipped model)
              --seed S    seed of the data stream and of the initial weights (default: the recipe's)
              --threads T kernel threads (default: all cores; the weights are the same for any T)
              --quick     the recipe's small, fast settings instead of the shipped model's
            """.formatted(Arrays.stream(Recipe.values()).map(Recipe::id).toList());

    private TrainCommand() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the process exit code (0 done, 2 bad arguments). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        List<String> a = List.of(args);
        if (a.isEmpty() || a.contains("--help") || a.contains("-h")) {
            (a.isEmpty() ? err : out).print(USAGE);
            return a.isEmpty() ? 2 : 0;
        }
        Recipe recipe;
        RecipeSettings settings;
        Path dir = null;
        try {
            recipe = Recipe.byId(a.getFirst());
            settings = a.contains("--quick") ? recipe.quick() : recipe.defaults();
            for (int i = 1; i < a.size(); i++) {
                switch (a.get(i)) {
                    case "--out" -> dir = Path.of(value(a, ++i));
                    case "--steps" -> settings = settings.withSteps(Integer.parseInt(value(a, ++i)));
                    case "--seed" -> settings = settings.withSeed(Long.parseLong(value(a, ++i)));
                    case "--threads" -> Kernels.setThreads(Integer.parseInt(value(a, ++i)));
                    case "--quick" -> { }
                    default -> throw new IllegalArgumentException("unknown option " + a.get(i));
                }
            }
            if (dir == null) throw new IllegalArgumentException("--out DIR expected");
            recipe.limits().check(settings);
        } catch (IllegalArgumentException e) {
            err.println("glassbox train: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }

        TrainingRun run = new TrainingRun(recipe, settings);
        int steps = settings.steps(), tokensPerStep = settings.batch() * settings.seqLen(), every = Math.max(1, steps / 100);
        out.printf(Locale.ROOT, "training %s: %,d parameters, %d steps of %d x %d tokens, seed %d, %d thread(s)%n",
                recipe.id(), run.parameterCount(), steps, settings.batch(), settings.seqLen(), settings.seed(), Kernels.threads());
        long start = System.nanoTime();
        TrainingRun.Result result = run.run(new TrainingRun.Listener() {
            @Override public void onStep(Trainer.Progress p) {
                if (p.step() % every != 0 && p.step() != steps) return;
                double elapsed = (System.nanoTime() - start) / 1e9;
                double tokensPerSecond = (double) p.step() * tokensPerStep / elapsed;
                out.printf(Locale.ROOT, "step %d/%d  loss %.4f  lr %.2e  %,.0f tokens/s (this step %,.0f)  eta %s%n", p.step(), steps,
                        p.loss(), p.learningRate(), tokensPerSecond, p.tokensPerSecond(), duration(elapsed / p.step() * (steps - p.step())));
            }

            @Override public void onEvaluation(int step, float heldOutLoss) {
                out.printf(Locale.ROOT, "step %d  held-out loss %.4f%n", step, heldOutLoss);
            }

            @Override public void onSample(int step, String prompt, String text) {
                out.println("step " + step + "  sample: " + (prompt + text).replace("\n", " "));
            }
        });
        Path saved = run.save(dir, recipe.id(), recipe.title());
        out.printf(Locale.ROOT, "done: %d steps in %s, final loss %.4f, held-out loss %.4f%nwrote %s%n", result.steps(),
                duration(result.seconds()), result.finalLoss(), result.heldOutLoss(), saved);
        return 0;
    }

    private static String value(List<String> args, int i) {
        if (i >= args.size()) throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
        return args.get(i);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }
}
