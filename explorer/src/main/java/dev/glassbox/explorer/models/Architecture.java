package dev.glassbox.explorer.models;

/**
 * The shape of a transformer as its config gives it: enough to draw it block by block and to size
 * every buffer of its forward pass.
 *
 * @param family     "bert", "llama" or "gpt2"
 * @param norm       "LayerNorm" or "RMSNorm"
 * @param preNorm    true when each block normalizes its input (GPT-2, Llama), false when it normalizes its output (BERT)
 * @param activation the MLP's non-linearity: "gelu", "gelu_tanh" or "swiglu"
 * @param dMlp       the MLP's hidden width; 0 for an attention-only model (blocks without an MLP)
 * @param positions  "learned" (a position embedding table) or "rope" (rotary, inside attention)
 * @param causal     whether a token attends only to itself and earlier tokens
 */
public record Architecture(String family, int layers, int dModel, int heads, int kvHeads, int dHead, int dMlp,
                           int vocab, int context, String norm, boolean preNorm, String activation,
                           String positions, boolean causal, float eps) {
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
