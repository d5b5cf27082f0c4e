package dev.glassbox.explorer.models;

/**
 * The shape of a transformer as its config gives it: enough to draw it block by block and to size
 * every buffer of its forward pass.
 *
 * @param family     which forward pass runs it
 * @param norm       how a block normalizes
 * @param preNorm    true when each block normalizes its input (GPT-2, Llama), false when it normalizes its output (BERT)
 * @param activation the MLP's non-linearity
 * @param dMlp       the MLP's hidden width; 0 for an attention-only model (blocks without an MLP)
 * @param positions  how a token learns where it is
 * @param causal     whether a token attends only to itself and earlier tokens
 */
public record Architecture(Family family, int layers, int dModel, int heads, int kvHeads, int dHead, int dMlp,
                           int vocab, int context, Norm norm, boolean preNorm, Activation activation,
                           Positions positions, boolean causal, float eps) {

    /** The families whose forward pass Glassbox has; each prints as its config's {@code model_type} ("llama"). */
    public enum Family {
        BERT, LLAMA, GPT2;

        /** The name config.json and GGUF files use. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether the family generates text (a causal decoder) rather than encoding it (BERT). */
        public boolean decoder() {
            return this != BERT;
        }

        @Override
        @com.fasterxml.jackson.annotation.JsonValue     // JSON carries the conventional names, as config.json does
        public String toString() {
            return id();
        }
    }

    /** How a block normalizes: LayerNorm (centre, scale, shift) or RMSNorm (scale by the root mean square only). */
    public enum Norm {
        LAYER_NORM, RMS_NORM;

        @Override
        @com.fasterxml.jackson.annotation.JsonValue
        public String toString() {
            return this == LAYER_NORM ? "LayerNorm" : "RMSNorm";
        }
    }

    /** The MLP's non-linearity: GELU (erf), GELU's tanh approximation, or SwiGLU (a gated SiLU); prints as "gelu_tanh". */
    public enum Activation {
        GELU, GELU_TANH, SWIGLU;

        @Override
        @com.fasterxml.jackson.annotation.JsonValue
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where position comes in: a learned table added to the embeddings, or rotary (RoPE) inside attention. */
    public enum Positions {
        LEARNED, ROPE;

        @Override
        @com.fasterxml.jackson.annotation.JsonValue
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Architecture {
        if (layers < 1 || dModel < 1 || heads < 1 || kvHeads < 1 || dMlp < 0 || vocab < 1 || context < 1) {
            throw new IllegalArgumentException(family + ": positive sizes expected, found layers " + layers + ", d_model " + dModel
                    + ", heads " + heads + ", kv heads " + kvHeads + ", d_mlp (0 or more) " + dMlp + ", vocab " + vocab + ", context " + context);
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException(family + ": heads (" + heads + ") a multiple of kv heads (" + kvHeads + ") expected");
        if (dHead * heads != dModel) throw new IllegalArgumentException(family + ": d_model (" + dModel + ") = heads (" + heads + ") x d_head expected, found d_head " + dHead);
    }

    /** Checks that {@code tokens} can be run: at least one, no more than the context, every id in the vocabulary. */
    public void checkTokens(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("at least one token expected");
        if (tokens.length > context) throw new IllegalArgumentException(tokens.length + " tokens do not fit the " + context + "-token context");
        for (int t : tokens) {
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("token ids in [0, " + vocab + ") expected, found " + t);
        }
    }

    /** Whether the blocks have an MLP (false for attention-only models, d_mlp 0). */
    public boolean hasMlp() { return dMlp > 0; }

    /** Width of the keys and values: kvHeads * dHead (smaller than dModel with grouped-query attention). */
    public int kvDim() { return kvHeads * dHead; }
}
