package dev.glassbox.explorer.models;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * Experiments that change a run from the inside: switching attention heads off, and copying activations
 * from one prompt's run into another's (activation patching).
 */
public final class Interventions {
    private Interventions() {}

    /** {@code hooks} plus zeroing the output of {@code heads} in {@code layer} (at {@code attn.hook_z}, shape (pos, head, d_head)). */
    public static Hooks ablateHeads(Hooks hooks, int layer, int... heads) {
        int[] chosen = heads.clone();
        return hooks.with(HookName.block(layer, HookName.InBlock.Z), z -> {
            int positions = z.dim(0), headCount = z.dim(1), dh = z.dim(2);
            for (int h : chosen) {
                if (h < 0 || h >= headCount) throw new IllegalArgumentException("head in [0, " + headCount + ") expected, found " + h);
                for (int p = 0; p < positions; p++) Arrays.fill(z.data(), (p * headCount + h) * dh, (p * headCount + h + 1) * dh, 0f);
            }
        });
    }

    /** {@code hooks} plus replacing the activation {@code name} with its value in {@code source} (same shape). */
    public static Hooks patch(Hooks hooks, ActivationCache source, String name) {
        Activation from = source.get(name);
        return hooks.with(name, a -> {
            if (!Arrays.equals(a.shape(), from.shape())) {
                throw new IllegalArgumentException(name + ": patching needs equal shapes, found " + Arrays.toString(from.shape())
                        + " in the source and " + Arrays.toString(a.shape()) + " here (do the prompts have the same length?)");
            }
            a.replace(from.data());
        });
    }

    /** {@code hooks} plus copying row {@code position} of {@code name} (shape (pos, ...)) from {@code source}. */
    public static Hooks patchPosition(Hooks hooks, ActivationCache source, String name, int position) {
        Activation from = source.get(name);
        int width = from.size() / from.dim(0);
        return hooks.with(name, a -> {
            if (a.size() != from.size()) throw new IllegalArgumentException(name + ": patching needs equal shapes (same prompt lengths)");
            System.arraycopy(from.data(), position * width, a.data(), position * width, width);
        });
    }

    /**
     * Activation patching over the residual stream: for each layer and position, runs {@code corrupted} with
     * that one row of {@code blocks.{layer}.hook_resid_pre} taken from the run on {@code clean}, and
     * reports {@code metric} of the output. A cell that moves the metric back toward the clean run marks
     * where the information that separates the prompts lives.
     *
     * @return metric values (layers, positions)
     */
    public static float[][] residualPatching(Transformer model, int[] clean, int[] corrupted,
                                             ToDoubleFunction<Transformer.Output> metric) {
        if (clean.length != corrupted.length) {
            throw new IllegalArgumentException("prompts of equal length expected, found " + clean.length + " and " + corrupted.length + " tokens");
        }
        ActivationCache cleanCache = model.runWithCache(clean, n -> n.endsWith(HookName.InBlock.RESID_PRE.suffix())).cache();
        int layers = model.architecture().layers();
        float[][] result = new float[layers][clean.length];
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < clean.length; p++) {
                Hooks hooks = patchPosition(Hooks.none(), cleanCache, HookName.block(l, HookName.InBlock.RESID_PRE), p);
                result[l][p] = (float) metric.applyAsDouble(model.run(corrupted, hooks));
            }
        }
        return result;
    }

    /**
     * How much an intervention moved each head's attention, from the patterns of a normal and an intervened run of
     * the same tokens (both caches must hold every {@code attn.hook_pattern}): per (layer, head), the mean over query
     * positions of half the L1 distance between the two rows, 0 (unchanged) to 1 (attending elsewhere entirely).
     */
    public static float[][] patternShift(ActivationCache normal, ActivationCache intervened, Architecture a) {
        float[][] out = new float[a.layers()][a.heads()];
        for (int l = 0; l < a.layers(); l++) {
            Activation p = normal.get(l, HookName.InBlock.PATTERN), r = intervened.get(l, HookName.InBlock.PATTERN);
            float[] pd = p.data(), rd = r.data();
            int rows = p.dim(1), cols = p.dim(2);                    // (heads, s, t)
            for (int h = 0; h < a.heads(); h++) {
                double sum = 0;
                for (int i = h * rows * cols; i < (h + 1) * rows * cols; i++) sum += Math.abs(pd[i] - rd[i]);
                out[l][h] = (float) (sum / 2 / rows);
            }
        }
        return out;
    }
}
