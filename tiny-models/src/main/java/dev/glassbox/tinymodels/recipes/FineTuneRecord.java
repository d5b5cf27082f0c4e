package dev.glassbox.tinymodels.recipes;

import dev.glassbox.explorer.training.Projection;
import dev.glassbox.tinymodels.cards.ModelCard;
import dev.glassbox.tinymodels.data.Stories;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a fine-tuning run leaves beside its weights: training.json and the model card, both naming the base model. */
record FineTuneRecord(String id, String title, String baseModel, FineTuneSettings settings, long parameters,
                      long trainableParameters, String sha256, long modelBytes, long adapterBytes, int examplesRead,
                      FineTuneRun.Result result, Map<String, Double> movement, List<FineTuneRun.Generation> generations) {

    String method() {
        if (settings.lora() == null) return "full fine-tuning (every weight)";
        return String.format(Locale.ROOT, "LoRA rank %d, alpha %s on %s (base weights frozen, adapter merged into them)",
                settings.lora().rank(), number(settings.lora().alpha()),
                String.join(", ", settings.lora().orderedTargets().stream().map(Projection::module).toList()));
    }

    private static String number(float x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FineTuneRun.FORMAT);
        m.put("id", id);
        m.put("title", title);
        m.put("base_model", baseModel);
        m.put("method", settings.method().id());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("steps", settings.steps());
        s.put("learning_rate", (double) settings.learningRate());
        s.put("batch", settings.batch());
        s.put("seq_len", settings.seqLen());
        s.put("seed", settings.seed());
        if (settings.lora() != null) {
            s.put("lora_rank", settings.lora().rank());
            s.put("lora_alpha", (double) settings.lora().alpha());
            s.put("lora_targets", settings.lora().orderedTargets().stream().map(Projection::module).toList());
        }
        m.put("settings", s);
        m.put("parameters", parameters);
        m.put("trainable_parameters", trainableParameters);
        m.put("model_sha256", sha256);
        if (adapterBytes > 0) m.put("adapter_bytes", adapterBytes);
        m.put("data", Map.of("generator", Stories.class.getName(), "style", "SEA", "seed", Stories.SEA_SEED, "training_examples", examplesRead));
        List<Map<String, Object>> held = new ArrayList<>();
        for (FineTuneRun.Evaluation e : result.evaluations()) {
            held.add(Map.of("step", e.step(), "sea_loss", (double) e.seaLoss(), "plain_loss", (double) e.plainLoss()));
        }
        m.put("held_out", held);
        List<Map<String, Object>> points = new ArrayList<>();
        for (float[] p : TrainingRecord.curve(result.losses())) points.add(Map.of("step", (int) p[0], "loss", (double) p[1]));
        m.put("loss_curve", points);
        m.put("movement", movement);
        List<Map<String, String>> gens = new ArrayList<>();
        for (FineTuneRun.Generation g : generations) {
            Map<String, String> one = new LinkedHashMap<>();
            one.put("prompt", g.prompt());
            one.put("before", g.before());
            one.put("after", g.after());
            gens.add(one);
        }
        m.put("generations", gens);
        m.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        m.put("hardware", TrainingRecord.hardware(dev.glassbox.explorer.kernels.Kernels.threads()));
        return m;
    }

    ModelCard card() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(id).append("\n\n**").append(title).append(".** `").append(baseModel)
                .append("` fine-tuned on the sea stories by Glassbox: ").append(method()).append(".\n\n");
        b.append("## Base model\n\n`").append(baseModel).append("`: this model's weights started as that model's, and its tokenizer is that"
                + " model's tokenizer.json.\n\n");
        b.append("## Method\n\n").append(method()).append(String.format(Locale.ROOT,
                ". %,d of %,d parameters trained (%.2f%%). AdamW (beta 0.9/0.95, weight decay 0.1 on full matrices), rate %.4g with"
                        + " a warm-up over a tenth of the steps and a cosine to a tenth of it, gradient norm clipped to 1; %d steps of %d"
                        + " windows of %d tokens.%n%n", trainableParameters, parameters, 100.0 * trainableParameters / parameters,
                settings.learningRate(), settings.steps(), settings.batch(), settings.seqLen()));
        if (adapterBytes > 0) {
            b.append(String.format(Locale.ROOT, "The adapter alone is in `adapter_model.safetensors` (%,d bytes, against %,d for the whole"
                    + " model) with PEFT's `adapter_config.json`; `model.safetensors` holds the base weights with W + (alpha/r) B A merged in.%n%n",
                    adapterBytes, modelBytes));
        }
        b.append("## Data\n\n").append(Stories.atSea().card(examplesRead)).append("\n\n");
        b.append("## Held-out loss on both styles\n\nThe sea loss is what fine-tuning lowers; the plain loss shows how much of the base"
                + " model's style was kept (a rise is forgetting).\n\n| step | sea stories | plain stories |\n|---:|---:|---:|\n");
        for (FineTuneRun.Evaluation e : result.evaluations()) {
            b.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f |%n", e.step(), e.seaLoss(), e.plainLoss()));
        }
        b.append("\n## Weights that moved most\n\nRelative change ||W - W0|| / ||W0|| of each tensor:\n\n| tensor | change |\n|---|---:|\n");
        movement.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())).limit(8)
                .forEach(e -> b.append(String.format(Locale.ROOT, "| `%s` | %.5f |%n", e.getKey(), e.getValue())));
        b.append("\n## Generations (greedy), before and after\n\n");
        for (FineTuneRun.Generation g : generations) {
            b.append("- **").append(g.prompt()).append("**\n  - before: ").append(g.before() == null ? "-" : g.before().replace("\n", " "))
                    .append("\n  - after: ").append(g.after() == null ? "-" : g.after().replace("\n", " ")).append("\n");
        }
        b.append(String.format(Locale.ROOT, "%n## Training record%n%n- **Steps:** %d in %.1f s (%.1f s in the steps themselves)%n"
                + "- **model.safetensors SHA-256:** `%s`%n", result.steps(), result.seconds(), result.stepSeconds(), sha256));
        String example = Stories.atSea().heldOut(1).getFirst();
        return new ModelCard(TrainingRun.LICENSE, TrainingRun.LICENSE_LINK, List.of(baseModel), List.of(Stories.class.getName()),
                "text-generation", "glassbox", List.of("en"), List.of("llama", "fine-tuned", "trained-by-glassbox"),
                List.of(example, TrainingRun.promptOf(Recipe.TINY_STORIES, example)),
                "generating little stories set by the sea; comparing fine-tuning methods", b.toString());
    }
}
