package dev.glassbox.explorer.models;

/**
 * The keys and values a decoder has computed so far, per layer, so each new token attends to the earlier
 * ones without recomputing them.
 */
public final class KvCache {
    final float[][] keys;      // [layer] (context, kvDim)
    final float[][] values;    // [layer] (context, kvDim)
    final int context;
    int length;                // positions filled

    KvCache(Architecture a) {
        this.context = a.context();
        this.keys = new float[a.layers()][context * a.kvDim()];
        this.values = new float[a.layers()][context * a.kvDim()];
    }

    /** How many positions are cached: the position the next token will get. */
    public int length() { return length; }

    public int context() { return context; }

    /** Checks that {@code more} tokens still fit. */
    void reserve(int more) {
        if (more < 1) throw new IllegalArgumentException("at least one token expected");
        if (length + more > context) {
            throw new IllegalArgumentException("the context holds " + context + " tokens; " + length + " are used and " + more + " more do not fit");
        }
    }
}
