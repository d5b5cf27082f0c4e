package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.cards.Openness;
import dev.glassbox.tinymodels.cards.Openness.Level;
import dev.glassbox.tinymodels.cards.Openness.LicenceType;
import dev.glassbox.tinymodels.cards.Openness.Part;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a training run leaves beside its weights: the command that made them, the settings, the loss curve, the
 * held-out figures, the time and the machine. Written as training.json and as the model card's "Training record".
 */
record TrainingRecord(String id, String title, Recipe recipe, RecipeSettings settings, long parameters, String sha256,
                      Map<String, Double> heldOut, List<String> samples, int examplesRead, List<float[]> curve,
                      float finalLoss, double seconds, Map<String, Object> hardware, String dataCard) {

    static TrainingRecord of(TrainingRun run, String id, String title, String sha256, Map<String, Double> heldOut,
                             List<String> samples, int examplesRead, List<Float> losses, double seconds) {
        return new TrainingRecord(id, title, run.recipe(), run.settings(), run.parameterCount(), sha256, heldOut, samples,
                examplesRead, curve(losses), losses.isEmpty() ? Float.NaN : losses.getLast(), seconds, hardware(run.threads()),
                run.data().card(examplesRead));
    }

    /** The loss curve in at most 20 points: (last step of a stretch, mean loss over the stretch). */
    static List<float[]> curve(List<Float> losses) {
        List<float[]> points = new ArrayList<>();
        int n = losses.size(), parts = Math.min(20, n);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            double sum = 0;
            for (int i = from; i < to; i++) sum += losses.get(i);
            points.add(new float[] {to, (float) (sum / (to - from))});
        }
        return points;
    }

    /** The command that reproduces the weights. */
    String command() {
        boolean shipped = settings.equals(recipe.defaults());
        return "java -jar web/target/glassbox.jar train " + recipe.id() + " --out DIR"
                + (shipped ? "" : " --steps " + settings.steps() + " --seed " + settings.seed()
                + (settingsDifferBeyondStepsAndSeed() ? "   (other settings as in training.json)" : ""));
    }

    private boolean settingsDifferBeyondStepsAndSeed() {
        return !settings.withSteps(recipe.defaults().steps()).withSeed(recipe.defaults().seed()).equals(recipe.defaults());
    }

    static Map<String, Object> hardware(int threads) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("cpu", cpuModel());
        h.put("cores", Runtime.getRuntime().availableProcessors());
        h.put("threads", threads);
        h.put("vector_bits", Kernels.vectorBits());
        h.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        h.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return h;
    }

    /** The "model name" line of /proc/cpuinfo, or the OS architecture where there is no such file. */
    static String cpuModel() {
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info)) {
                for (String line : Files.readAllLines(info)) {
                    if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the architecture is still worth reporting
        }
        return System.getProperty("os.arch");
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", TrainingRun.FORMAT);
        m.put("id", id);
        m.put("title", title);
        m.put("recipe", recipe.id());
        m.put("command", command());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("layers", settings.layers());
        s.put("d_model", settings.dModel());
        s.put("heads", settings.heads());
        s.put("kv_heads", settings.kvHeads());
        s.put("d_mlp", settings.dMlp());
        s.put("seq_len", settings.seqLen());
        s.put("batch", settings.batch());
        s.put("steps", settings.steps());
        s.put("learning_rate", (double) settings.learningRate());
        s.put("warmup", settings.warmup());
        s.put("seed", settings.seed());
        m.put("settings", s);
        m.put("parameters", parameters);
        m.put("model_sha256", sha256);
        m.put("data", Map.of("generator", recipe.dataset(settings.seed()).getClass().getName(), "seed", settings.seed(),
                "training_examples", examplesRead));
        m.put("final_loss", (double) finalLoss);
        List<Map<String, Object>> points = new ArrayList<>();
        for (float[] p : curve) points.add(Map.of("step", (int) p[0], "loss", (double) p[1]));
        m.put("loss_curve", points);
        m.put("held_out", heldOut);
        m.put("seconds", Math.round(seconds * 10) / 10.0);
        m.put("tokens_per_second", Math.round(tokensPerSecond()));
        m.put("hardware", hardware);
        m.put("samples", samples);
        return m;
    }

    private double tokensPerSecond() {
        return seconds <= 0 ? 0 : (double) stepsDone() * settings.batch() * settings.seqLen() / seconds;
    }

    private int stepsDone() { return curve.isEmpty() ? 0 : (int) curve.getLast()[0]; }

    /** The model card of a trained model: every part open. */
    static Openness openness(Recipe recipe) {
        String data = recipe.datasetType().getName();
        return Openness.builder(LicenceType.OSI_APPROVED)
                .part(Part.ARCHITECTURE, Level.OPEN, "a Llama-style decoder, described in papers and written out in Glassbox's Llama class")
                .part(Part.INFERENCE_CODE, Level.OPEN, "Glassbox's own reader and kernels, in this repository")
                .part(Part.TRAINING_CODE, Level.OPEN, "the recipe dev.glassbox.tinymodels.recipes.Recipe." + recipe.name()
                        + " and the trainer in dev.glassbox.explorer.training, run by `glassbox train " + recipe.id() + "`")
                .part(Part.WEIGHTS, Level.OPEN, "model.safetensors in this repository, rebuilt byte for byte by the training command")
                .part(Part.TRAINING_DATA, Level.OPEN, "generated by " + data + " from a seed in the repository; nothing downloaded")
                .part(Part.LICENCE, Level.OPEN, "Apache-2.0, like the rest of Glassbox (OSI approved)")
                .build();
    }

    ModelCard card() {
        String d = recipe.dataset(settings.seed()).getClass().getName();
        StringBuilder b = new StringBuilder();
        b.append("# ").append(id).append("\n\n**").append(title).append(".** ").append(recipe.description()).append("\n\n");
        b.append("Every part of this model is open: the training data is generated by code in the repository from a seed, the"
                + " tokenizer is learned from that data by code, the training code and the command are in the repository, and"
                + " the weights are rebuilt byte for byte by that command. Licence: Apache-2.0.\n\n");
        b.append("## Architecture\n\nLlama-style decoder, ").append(String.format(Locale.ROOT, "%,d", parameters)).append(" parameters: ")
                .append(settings.layers()).append(" layers, hidden size ").append(settings.dModel()).append(", ")
                .append(settings.heads()).append(" query heads and ").append(settings.kvHeads()).append(" key/value heads of size ")
                .append(settings.dModel() / settings.heads()).append(", ")
                .append(settings.dMlp() == 0 ? "no MLP (attention-only)" : "SwiGLU MLP of " + settings.dMlp() + " units")
                .append(", RMSNorm, rotary position embeddings, trained on sequences of ").append(settings.seqLen())
                .append(" tokens (context ").append(Math.max(settings.seqLen(), TrainingRun.MIN_CONTEXT)).append("), untied output head.\n\n");
        b.append("## Data\n\n").append(dataCard).append("\n\n").append(recipe.recipeTokenizer().card()).append("\n\n");
        b.append("## Training\n\n**Command:** `").append(command()).append("` (recipe `dev.glassbox.tinymodels.recipes.Recipe.")
                .append(recipe.name()).append("`, trainer `dev.glassbox.explorer.training.Trainer`).\n\n");
        b.append(String.format(Locale.ROOT, "AdamW (beta 0.9/0.95, weight decay 0.1 on matrices), learning rate %.4g with %d warm-up steps"
                        + " and a cosine to a tenth of it, gradient norm clipped to 1; %d steps of %d sequences of %d tokens; seed %d"
                        + " (data and initial weights).%n%n",
                settings.learningRate(), settings.warmup(), settings.steps(), settings.batch(), settings.seqLen(), settings.seed()));
        b.append("## Training record\n\n");
        b.append(String.format(Locale.ROOT, "- **Steps:** %d; final training loss %.4f%n", stepsDone(), finalLoss));
        b.append(String.format(Locale.ROOT, "- **Wall time:** %.1f s (%,.0f tokens/s)%n", seconds, tokensPerSecond()));
        b.append("- **Hardware:** ").append(hardware.get("cpu")).append(", ").append(hardware.get("cores")).append(" cores, ")
                .append(hardware.get("threads")).append(" training thread(s), Vector API ").append(hardware.get("vector_bits"))
                .append(" bits, ").append(hardware.get("jdk")).append(", ").append(hardware.get("os")).append("\n");
        b.append("- **model.safetensors SHA-256:** `").append(sha256).append("`\n\n");
        b.append("Loss curve (mean training loss over each stretch of steps):\n\n| up to step | loss |\n|---:|---:|\n");
        for (float[] p : curve) b.append(String.format(Locale.ROOT, "| %d | %.4f |%n", (int) p[0], p[1]));
        b.append("\n## Held-out results\n\n");
        for (Map.Entry<String, Double> e : heldOut.entrySet()) {
            b.append(String.format(Locale.ROOT, "- **%s:** %.4f%n", e.getKey().replace('_', ' '), e.getValue()));
        }
        b.append("\n## Samples (greedy, held-out openings)\n\n");
        for (String s : samples) b.append("> ").append(s.replace("\n", " ")).append("\n\n");
        b.append("## Openness\n\n");
        Openness o = openness(recipe);
        for (Part part : Part.values()) b.append("- **").append(part.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(":** ")
                .append(o.levels().get(part).name().toLowerCase(Locale.ROOT)).append(" - ").append(o.reasons().get(part)).append("\n");
        return card(recipe, d, b.toString());
    }

    /**
     * The card of a model trained from {@code recipe} on {@code dataset}: the Hub's keys, and as examples the recipe's
     * first held-out text and the prompt a sample continues from it (the pages open with them).
     */
    static ModelCard card(Recipe recipe, String dataset, String body) {
        String example = recipe.dataset(recipe.defaults().seed()).heldOut(1).getFirst();
        return new ModelCard(TrainingRun.LICENSE, TrainingRun.LICENSE_LINK, List.of(), List.of(dataset), "text-generation",
                "glassbox", recipe == Recipe.TINY_STORIES ? List.of("en") : List.of(),
                List.of("llama", "fully-open", "trained-by-glassbox", recipe.id()),
                List.of(example, TrainingRun.promptOf(recipe, example)), intendedUse(recipe), body);
    }

    static String intendedUse(Recipe recipe) {
        return switch (recipe) {
            case SORTER -> "learning how a small transformer sorts; reading its attention patterns";
            case INDUCTION -> "finding induction heads and ablating them";
            case TINY_STORIES -> "generating little stories; sampling, logit lens and layer-by-layer lessons";
        };
    }
}
