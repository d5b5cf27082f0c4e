package dev.glassbox.explorer.models;

import java.util.ArrayList;
import java.util.List;

/**
 * The names of the hook points, exactly as TransformerLens spells them. Every name a forward pass uses
 * is built here and nowhere else, so a cache from any family can be read with the same strings.
 */
public final class HookName {
    private HookName() {}

    public static final String EMBED = "hook_embed";
    public static final String POS_EMBED = "hook_pos_embed";
    public static final String LN_FINAL = "ln_final.hook_normalized";
    public static final String UNEMBED = "unembed.hook_out";

    /** The hook points inside one block, in the order a pre-norm block reaches them. */
    public enum InBlock {
        RESID_PRE("hook_resid_pre"),
        LN1("ln1.hook_normalized"),
        Q("attn.hook_q"),
        K("attn.hook_k"),
        V("attn.hook_v"),
        ATTN_SCORES("attn.hook_attn_scores"),
        PATTERN("attn.hook_pattern"),
        Z("attn.hook_z"),
        ATTN_OUT("hook_attn_out"),
        RESID_MID("hook_resid_mid"),
        LN2("ln2.hook_normalized"),
        MLP_PRE("mlp.hook_pre"),
        MLP_POST("mlp.hook_post"),
        MLP_OUT("hook_mlp_out"),
        RESID_POST("hook_resid_post");

        final String suffix;

        InBlock(String suffix) { this.suffix = suffix; }

        public String suffix() { return suffix; }
    }

    /** {@code blocks.{layer}.{point}}, e.g. {@code blocks.3.attn.hook_pattern}. */
    public static String block(int layer, InBlock point) {
        return "blocks." + layer + "." + point.suffix;
    }

    /** Every name of one block, precomputed so the forward pass does not build strings per token. */
    static String[] blockNames(int layer) {
        InBlock[] points = InBlock.values();
        String[] names = new String[points.length];
        for (InBlock p : points) names[p.ordinal()] = block(layer, p);
        return names;
    }

    /** The per-block names for {@code layers} blocks, in block order. */
    public static List<String> all(int layers, InBlock point) {
        List<String> names = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) names.add(block(i, point));
        return names;
    }
}
