package dev.glassbox.explorer.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training checkpoint: one folder holding
 * <ul>
 * <li>{@code config.json} and {@code model.safetensors}: the model in Hugging Face {@code LlamaForCausalLM} form
 *     (F32, nn.Linear (out, in) layouts), which {@code Llama.load} runs as it is;</li>
 * <li>{@code optimizer.safetensors}: AdamW's moments, {@code <name>.exp_avg} and {@code <name>.exp_avg_sq} per
 *     parameter (PyTorch's names), F32;</li>
 * <li>{@code trainer.json}: the steps done, the seed, the schedule, AdamW's settings and the clipping norm.</li>
 * </ul>
 * Reading it back restores every bit of the run's state, so the resumed run's weights equal an unbroken run's.
 */
public final class Checkpoint {
    /** The {@code format} field of trainer.json. */
    public static final String FORMAT = "glassbox-training-checkpoint-1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Checkpoint() {}

    static void write(Path dir, Trainer trainer) throws IOException {
        trainer.model().save(dir);
        AdamW adam = trainer.optimizer();
        List<Tensor> moments = new ArrayList<>();
        List<Parameter> params = adam.parameters();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            moments.add(TrainableLlama.tensor(p.name() + ".exp_avg", p.shape(), adam.firstMoment(i)));
            moments.add(TrainableLlama.tensor(p.name() + ".exp_avg_sq", p.shape(), adam.secondMoment(i)));
        }
        SafetensorsWriter.write(dir.resolve("optimizer.safetensors"), Map.of(), moments);

        Trainer.Settings s = trainer.settings();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", FORMAT);
        json.put("step", trainer.step());
        json.put("adam_steps", adam.steps());
        json.put("seed", s.seed());
        json.put("schedule", Map.of("peak", (double) s.schedule().peak(), "floor", (double) s.schedule().floor(),
                "warmup", s.schedule().warmup(), "total", s.schedule().total()));
        json.put("adamw", Map.of("beta1", (double) s.adam().beta1(), "beta2", (double) s.adam().beta2(),
                "eps", (double) s.adam().eps(), "weight_decay", (double) s.adam().weightDecay()));
        json.put("max_grad_norm", s.maxGradNorm());
        Files.writeString(dir.resolve("trainer.json"), JSON.writeValueAsString(json) + "\n");
    }

    static Trainer read(Path dir, BatchSource source) throws IOException {
        Path file = dir.resolve("trainer.json");
        JsonNode json = JSON.readTree(file.toFile());
        if (json == null || !FORMAT.equals(json.path("format").asText())) {
            throw new IllegalArgumentException(file + ": format " + FORMAT + " expected, found " + (json == null ? "nothing" : json.path("format")));
        }
        JsonNode sc = json.path("schedule"), ad = json.path("adamw");
        Trainer.Settings settings = new Trainer.Settings(
                new Schedule((float) sc.path("peak").asDouble(), (float) sc.path("floor").asDouble(), sc.path("warmup").asInt(), sc.path("total").asInt()),
                new AdamW.Settings((float) ad.path("beta1").asDouble(), (float) ad.path("beta2").asDouble(),
                        (float) ad.path("eps").asDouble(), (float) ad.path("weight_decay").asDouble()),
                json.path("max_grad_norm").asDouble(), json.path("seed").asLong());
        TrainableLlama model = TrainableLlama.load(dir);
        AdamW adam = new AdamW(model.parameters(), settings.adam());
        adam.restore(json.path("adam_steps").asInt());
        try (var f = ModelFiles.open(dir.resolve("optimizer.safetensors"))) {
            List<Parameter> params = adam.parameters();
            for (int i = 0; i < params.size(); i++) {
                read(f, params.get(i).name() + ".exp_avg", adam.firstMoment(i));
                read(f, params.get(i).name() + ".exp_avg_sq", adam.secondMoment(i));
            }
        }
        return new Trainer(model, source, settings, adam, json.path("step").asInt());
    }

    private static void read(ModelFile f, String name, float[] into) {
        Tensor t = f.find(name).orElseThrow(() -> new IllegalArgumentException("optimizer.safetensors: tensor " + name + " expected, found none"));
        if (t.elementCount() != into.length) {
            throw new IllegalArgumentException("optimizer.safetensors: tensor " + name + " of " + into.length + " values expected, found " + t.shape());
        }
        t.readFloats(0, into, 0, into.length);
    }
}
