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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A LoRA adapter (Hu et al. 2021) for a {@link TrainableLlama}: beside each chosen projection W (out, in), two small
 * matrices A (r, in) and B (out, r), so the projection computes {@code W x + (alpha / r) B A x}. B starts at zero,
 * so an attached adapter changes nothing until it trains; A starts uniform in +-1/sqrt(in), as PEFT's Kaiming init.
 * Only A and B learn; W stays frozen. Parameters carry PEFT's names
 * ({@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}), and {@link #save} writes PEFT's two files,
 * {@code adapter_model.safetensors} and {@code adapter_config.json}.
 */
public final class LoraAdapter {
    /** The file names PEFT gives an adapter. */
    public static final String WEIGHTS = "adapter_model.safetensors", CONFIG = "adapter_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final LlamaConfig config;
    private final LoraSettings settings;
    private final Parameter[][] a, b;        // [layer][projection ordinal]: A (r, in), B (out, r); null where no adapter
    private final List<Parameter> parameters;

    /** A fresh adapter for a model of this shape: A drawn from {@code new Random(seed)}, B zero. */
    public LoraAdapter(LlamaConfig config, LoraSettings settings, long seed) {
        this.config = config;
        this.settings = settings;
        int count = Projection.values().length;
        a = new Parameter[config.layers()][count];
        b = new Parameter[config.layers()][count];
        List<Parameter> all = new ArrayList<>();
        Random random = new Random(seed);
        for (int l = 0; l < config.layers(); l++) {
            for (Projection p : settings.orderedTargets()) {
                if (p.inMlp() && !config.hasMlp()) {
                    throw new IllegalArgumentException("LoRA target " + p.module() + " needs an MLP; this model is attention-only");
                }
                int in = in(config, p), out = out(config, p), r = settings.rank();
                Parameter pa = Parameter.of(name(l, p, "A"), false, r, in);
                Parameter pb = Parameter.of(name(l, p, "B"), false, out, r);
                double bound = 1 / Math.sqrt(in);
                for (int i = 0; i < pa.size(); i++) pa.values()[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                a[l][p.ordinal()] = pa;
                b[l][p.ordinal()] = pb;
                all.add(pa);
                all.add(pb);
            }
        }
        parameters = Collections.unmodifiableList(all);
    }

    /** PEFT's name of A or B of one projection. */
    static String name(int layer, Projection p, String which) {
        return "base_model.model." + p.path(layer) + ".lora_" + which + ".weight";
    }

    /** The input width of a projection. */
    static int in(LlamaConfig c, Projection p) { return p == Projection.DOWN ? c.dMlp() : c.dModel(); }

    /** The output width of a projection. */
    static int out(LlamaConfig c, Projection p) {
        return switch (p) {
            case Q, O -> c.dModel();
            case K, V -> c.kvDim();
            case GATE, UP -> c.dMlp();
            case DOWN -> c.dModel();
        };
    }

    public LlamaConfig config() { return config; }

    public LoraSettings settings() { return settings; }

    /** A and B of every adapted projection, block by block, projections in block order. */
    public List<Parameter> parameters() { return parameters; }

    /** How many numbers the adapter trains: r (in + out) per adapted projection and block. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.size();
        return n;
    }

    /** A (r, in) of one projection, or null when it has no adapter. */
    Parameter a(int layer, Projection p) { return a[layer][p.ordinal()]; }

    /** B (out, r) of one projection, or null when it has no adapter. */
    Parameter b(int layer, Projection p) { return b[layer][p.ordinal()]; }

    /** W (out, in) += (alpha / r) B A, for one projection's weight. */
    void mergeInto(float[] w, int layer, Projection p) {
        Parameter pa = a(layer, p), pb = b(layer, p);
        int r = settings.rank(), in = pa.shape()[1], out = pb.shape()[0];
        float s = settings.scale();
        float[] av = pa.values(), bv = pb.values();
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                float sum = 0;
                for (int k = 0; k < r; k++) sum += bv[i * r + k] * av[k * in + j];
                w[i * in + j] += s * sum;
            }
        }
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes {@code adapter_model.safetensors} (F32, PEFT's names) and {@code adapter_config.json} (PEFT's LoRA
     * fields) into {@code dir}; {@code baseModel} is what the adapter was trained on (PEFT's {@code base_model_name_or_path}).
     */
    public void save(Path dir, String baseModel) throws IOException {
        Files.createDirectories(dir);
        List<Tensor> tensors = new ArrayList<>();
        for (Parameter p : parameters) tensors.add(TrainableLlama.tensor(p.name(), p.shape(), p.values()));
        SafetensorsWriter.write(dir.resolve(WEIGHTS), Map.of("format", "pt"), tensors);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("peft_type", "LORA");
        json.put("task_type", "CAUSAL_LM");
        json.put("base_model_name_or_path", baseModel);
        json.put("r", settings.rank());
        json.put("lora_alpha", (double) settings.alpha());
        json.put("target_modules", settings.orderedTargets().stream().map(Projection::module).toList());
        json.put("lora_dropout", 0.0);
        json.put("bias", "none");
        json.put("fan_in_fan_out", false);
        Files.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(json) + "\n");
    }

    /** Reads the adapter {@link #save} wrote in {@code dir}, for a model of shape {@code config}. */
    public static LoraAdapter load(Path dir, LlamaConfig config) throws IOException {
        Path file = dir.resolve(CONFIG);
        JsonNode json = JSON.readTree(file.toFile());
        if (json == null || !"LORA".equals(json.path("peft_type").asText())) {
            throw new IllegalArgumentException(file.getFileName() + ": peft_type LORA expected, found " + (json == null ? "nothing" : json.path("peft_type")));
        }
        List<String> targets = new ArrayList<>();
        json.path("target_modules").forEach(t -> targets.add(t.asText()));
        LoraAdapter adapter = new LoraAdapter(config, LoraSettings.of(json.path("r").asInt(), (float) json.path("lora_alpha").asDouble(), targets), 0);
        try (ModelFile f = ModelFiles.open(dir.resolve(WEIGHTS))) {
            for (Parameter p : adapter.parameters) {
                Tensor t = f.find(p.name()).orElseThrow(() -> new IllegalArgumentException(WEIGHTS + ": tensor " + p.name() + " expected, found none"));
                if (t.elementCount() != p.size()) {
                    throw new IllegalArgumentException(WEIGHTS + ": tensor " + p.name() + " of shape " + java.util.Arrays.toString(p.shape())
                            + " expected, found " + t.shape());
                }
                t.readFloats(0, p.values(), 0, p.size());
            }
        }
        return adapter;
    }
}
