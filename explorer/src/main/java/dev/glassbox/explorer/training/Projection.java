package dev.glassbox.explorer.training;

import java.util.Arrays;
import java.util.Locale;

/** The seven linear projections of a Llama block, by the module name Hugging Face and PEFT give them. */
public enum Projection {
    Q("self_attn", "q_proj"), K("self_attn", "k_proj"), V("self_attn", "v_proj"), O("self_attn", "o_proj"),
    GATE("mlp", "gate_proj"), UP("mlp", "up_proj"), DOWN("mlp", "down_proj");

    private final String parent, module;

    Projection(String parent, String module) {
        this.parent = parent;
        this.module = module;
    }

    /** The module's own name, as PEFT's {@code target_modules} lists it: {@code q_proj}, {@code down_proj}. */
    public String module() { return module; }

    /** The module's path inside block {@code layer}: {@code model.layers.0.self_attn.q_proj}. */
    public String path(int layer) { return "model.layers." + layer + "." + parent + "." + module; }

    public boolean inMlp() { return parent.equals("mlp"); }

    /** The projection named {@code q_proj}, {@code q} or {@code Q}; an IllegalArgumentException names the known ones. */
    public static Projection byName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Projection p : values()) if (p.module.equals(n) || p.name().toLowerCase(Locale.ROOT).equals(n)) return p;
        throw new IllegalArgumentException("projection " + name + " unknown; the projections are "
                + Arrays.stream(values()).map(Projection::module).toList());
    }
}
