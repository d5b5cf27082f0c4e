package dev.glassbox.tinymodels.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.training.AdamW;
import dev.glassbox.explorer.training.LlamaConfig;
import dev.glassbox.explorer.training.Schedule;
import dev.glassbox.explorer.training.Trainer;
import dev.glassbox.tinymodels.recipes.Recipe;
import dev.glassbox.tinymodels.recipes.RecipeBatches;
import dev.glassbox.tinymodels.recipes.RecipeSettings;
import dev.glassbox.tinymodels.recipes.TrainingRun;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Training speed of each recipe at its shipped shape ({@link Recipe#defaults()}), Glassbox against PyTorch on the CPU,
 * one thread each, the same model, batch and sequence length. A step is forward, backward, gradient clipping to norm
 * 1 and AdamW on both sides; Glassbox trains on the recipe's own batches ({@link RecipeBatches}), PyTorch
 * ({@code explorer/src/test/python/train_speed.py}, float32, the model of the gradient fixtures) on random tokens.
 *
 * <p>Both stay warm in one run: the PyTorch process starts once per recipe and waits on its stdin, and rounds alternate
 * about {@code glassbox.bench.seconds} of Glassbox steps with as long of PyTorch steps, so a noisy neighbour slows both
 * alike. A round's figure is each side's median step in tokens/s and their ratio; the result is the median over
 * rounds, printed with the rounds' min and max as {@code RESULT train_ratio_<recipe>_t1=X} (Glassbox / PyTorch; above 1
 * Glassbox is faster), {@code RESULT train_tokens_per_s_<recipe>_vector=X} and {@code train_torch_tokens_per_s_<recipe>_t1}.
 * Then a child JVM with {@code -Dglassbox.vector.bits=0} times the scalar twins:
 * {@code RESULT train_tokens_per_s_<recipe>_scalar=X}. Without python3 and torch it says so and skips PyTorch only.
 *
 * <p>Run: {@code ./mvnw -q -B -pl tiny-models -am -Pbench verify -Dbench=training} (BENCHMARKS.md); properties
 * {@code glassbox.bench.rounds} (5), {@code glassbox.bench.seconds} (3), {@code glassbox.bench.python} (python3),
 * {@code glassbox.bench.recipes} (all, comma-separated ids).
 */
public final class TrainingVsTorchBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        boolean scalarChild = args.length > 0 && args[0].equals("--here");
        int rounds = Integer.getInteger("glassbox.bench.rounds", 5);
        double seconds = Double.parseDouble(System.getProperty("glassbox.bench.seconds", "3"));
        List<Recipe> recipes = Arrays.stream(System.getProperty("glassbox.bench.recipes", "sorter,induction-2l,tiny-stories").split(","))
                .map(String::trim).map(Recipe::byId).toList();
        Kernels.setThreads(1);
        String mode = Kernels.vectorBits() == 0 ? "scalar" : "vector";
        Path script = Path.of(System.getProperty("glassbox.bench.torchScript", "../explorer/src/test/python/train_speed.py"));
        String python = System.getProperty("glassbox.bench.python", "python3");
        boolean torch = !scalarChild && torchAvailable(python, script);
        System.out.printf(Locale.ROOT, "Training speed, 1 thread, %s kernels (vector width %d bits), %d rounds of ~%.1f s per side%n",
                mode, Kernels.vectorBits(), scalarChild ? 1 : rounds, seconds);
        for (Recipe recipe : recipes) {
            RecipeSettings s = recipe.defaults();
            LlamaConfig config = new TrainingRun(recipe, s).config();     // the shape TrainingRun trains, vocabulary included
            Trainer trainer = Trainer.fresh(config, new RecipeBatches(recipe, recipe.dataset(s.seed()), s.batch(), s.seqLen()),
                    new Trainer.Settings(new Schedule(s.learningRate(), s.learningRate() / 10, s.warmup(), s.steps()),
                            AdamW.Settings.DEFAULT, 1.0, s.seed()));
            System.out.printf(Locale.ROOT, "%s: %d layers, d %d, %d/%d heads, d_mlp %d, vocab %d, batch %d x %d tokens, %d parameters%n",
                    recipe.id(), config.layers(), config.dModel(), config.heads(), config.kvHeads(), config.dMlp(), config.vocab(),
                    s.batch(), s.seqLen(), trainer.model().parameterCount());
            // JIT warm-up: an interpreted Vector API kernel is slower than its scalar twin, and C2 needs seconds here.
            timedSteps(trainer, scalarChild ? 6 : 12, 3);
            if (scalarChild) {
                double[] rates = timedSteps(trainer, seconds, 3);
                System.out.printf(Locale.ROOT, "  %s kernels: %.0f tok/s (steps %d, min %.0f, max %.0f)%n", mode, median(rates), rates.length, min(rates), max(rates));
                System.out.printf(Locale.ROOT, "RESULT train_tokens_per_s_%s_%s=%.0f%n", recipe.id(), mode, median(rates));
                continue;
            }
            Torch side = torch ? Torch.start(python, script, config, s) : null;
            double[] ours = new double[rounds], theirs = new double[rounds], ratios = new double[rounds];
            try {
                for (int r = 0; r < rounds; r++) {
                    ours[r] = median(timedSteps(trainer, seconds, 3));
                    if (side == null) continue;
                    theirs[r] = side.round(seconds);
                    ratios[r] = ours[r] / theirs[r];
                    System.out.printf(Locale.ROOT, "  round %d: Glassbox %.0f tok/s, PyTorch %.0f tok/s, ratio %.3f%n", r + 1, ours[r], theirs[r], ratios[r]);
                }
            } finally {
                if (side != null) side.close();
            }
            System.out.printf(Locale.ROOT, "  Glassbox vector: %.0f tok/s (rounds %.0f..%.0f)%n", median(ours), min(ours), max(ours));
            System.out.printf(Locale.ROOT, "RESULT train_tokens_per_s_%s_vector=%.0f%n", recipe.id(), median(ours));
            if (side != null) {
                System.out.printf(Locale.ROOT, "  PyTorch %s: %.0f tok/s (rounds %.0f..%.0f); ratio %.3f (rounds %.3f..%.3f)%n",
                        side.version, median(theirs), min(theirs), max(theirs), median(ratios), min(ratios), max(ratios));
                System.out.printf(Locale.ROOT, "RESULT train_torch_tokens_per_s_%s_t1=%.0f%n", recipe.id(), median(theirs));
                System.out.printf(Locale.ROOT, "RESULT train_ratio_%s_t1=%.3f%n", recipe.id(), median(ratios));
            }
        }
        if (scalarChild) return;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dglassbox.vector.bits=0", "-Xmx2g",
                "-Dglassbox.bench.seconds=" + seconds, "-Dglassbox.bench.recipes=" + String.join(",", recipes.stream().map(Recipe::id).toList()),
                "-cp", System.getProperty("java.class.path"), TrainingVsTorchBenchmark.class.getName(), "--here"));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) throw new IllegalStateException("the scalar child JVM exited with " + exit);
    }

    /** Steps for at least {@code seconds} and at least {@code minSteps}; each step's tokens per second. */
    static double[] timedSteps(Trainer trainer, double seconds, int minSteps) {
        List<Double> rates = new ArrayList<>();
        long start = System.nanoTime();
        while (rates.size() < minSteps || System.nanoTime() - start < seconds * 1e9) rates.add(trainer.step(null).tokensPerSecond());
        return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Whether {@code python} imports torch and the script exists; says why not when it cannot. */
    static boolean torchAvailable(String python, Path script) {
        if (!Files.isRegularFile(script)) {
            System.out.println("PyTorch part skipped: no script at " + script.toAbsolutePath().normalize());
            return false;
        }
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0) return true;
            System.out.println("PyTorch part skipped: " + python + " cannot import torch (" + out.lines().reduce((a, b) -> b).orElse("") + ")");
        } catch (IOException e) {
            System.out.println("PyTorch part skipped: cannot run " + python + " (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** One warm PyTorch process serving "run SECONDS" requests. */
    static final class Torch implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final PrintStream in;
        final String version;

        private Torch(Process process) throws IOException {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            JsonNode ready = read();
            if (!ready.path("ready").asBoolean()) throw new IllegalStateException("PyTorch did not say ready: " + ready);
            this.version = ready.path("torch_version").asText();
        }

        static Torch start(String python, Path script, LlamaConfig c, RecipeSettings s) throws IOException {
            List<String> command = List.of(python, script.toString(), "--serve", "--warmup-seconds", "3",
                    "--vocab", "" + c.vocab(), "--d", "" + c.dModel(), "--layers", "" + c.layers(), "--heads", "" + c.heads(),
                    "--kv-heads", "" + c.kvHeads(), "--mlp", "" + c.dMlp(), "--batch", "" + s.batch(), "--seq", "" + s.seqLen());
            return new Torch(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        /** The median tokens/s of PyTorch steps over about {@code seconds}. */
        double round(double seconds) throws IOException {
            in.printf(Locale.ROOT, "run %.2f%n", seconds);
            JsonNode answer = read();
            if (!answer.has("tokens_per_s")) throw new IllegalStateException("PyTorch answered " + answer);
            return answer.get("tokens_per_s").asDouble();
        }

        private JsonNode read() throws IOException {
            String line = out.readLine();
            if (line == null) throw new IllegalStateException("the PyTorch process ended (exit " + process.onExit().join().exitValue() + ")");
            return JSON.readTree(line);
        }

        @Override public void close() {
            in.close();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroy();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double min(double[] v) { return Arrays.stream(v).min().orElse(Double.NaN); }

    static double max(double[] v) { return Arrays.stream(v).max().orElse(Double.NaN); }
}
