package dev.glassbox.tinymodels;

import java.util.Locale;

/**
 * Where a tensor belongs in a transformer, judged from its name. Knows the BERT names
 * ({@code encoder.layer.0.attention.self.query.weight}), the Hugging Face Llama names
 * ({@code model.layers.0.self_attn.q_proj.weight}) and the GGUF names ({@code blk.0.attn_q.weight}).
 */
public enum Component {
    EMBEDDINGS("embeddings"), ATTENTION("attention"), MLP("MLP"), NORMS("norms"), HEAD("head"), OTHER("other");

    private final String label;

    Component(String label) { this.label = label; }

    /** The name people use: "attention", "MLP". */
    public String label() { return label; }

    /** The component a tensor named {@code name} belongs to; OTHER when the name says nothing known. */
    public static Component of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        // Norms first: BERT's attention.output.LayerNorm sits inside the attention block but is a norm.
        if (n.contains("layernorm") || n.contains("layer_norm") || n.contains("_norm") || n.contains("norm.")
                || n.startsWith("norm") || n.contains(".ln_") || n.contains("ln_f")) return NORMS;
        if (n.contains("embed") || n.startsWith("token_embd") || n.startsWith("wte") || n.startsWith("wpe")
                || n.contains("position_embd")) return EMBEDDINGS;
        if (n.contains("lm_head") || n.startsWith("output.") || n.contains("pooler") || n.contains("classifier")) return HEAD;
        if (n.contains("attention") || n.contains("attn") || n.contains("self_attn")) return ATTENTION;
        if (n.contains("mlp") || n.contains("ffn") || n.contains("intermediate") || n.contains("feed_forward")
                || (n.contains(".output.") && n.contains("layer"))) return MLP;
        return OTHER;
    }
}
