package dev.glassbox.tinymodels.recipes;

/**
 * The adjustable sizes and training settings of a recipe's run.
 *
 * @param layers       transformer blocks
 * @param dModel       the residual stream's width
 * @param heads        query heads; {@code dModel / heads} must be even (RoPE turns pairs)
 * @param kvHeads      key/value heads (grouped-query attention when fewer than {@code heads})
 * @param dMlp         the SwiGLU MLP's hidden width; 0 for an attention-only model
 * @param seqLen       tokens per training sequence
 * @param batch        sequences per step
 * @param steps        optimiser steps
 * @param learningRate the peak of the warm-up + cosine schedule (the floor is a tenth of it)
 * @param warmup       warm-up steps
 * @param seed         the seed of the data stream and of the initial weights
 */
public record RecipeSettings(int layers, int dModel, int heads, int kvHeads, int dMlp, int seqLen, int batch,
                             int steps, float learningRate, int warmup, long seed) {

    /** The same settings with another number of steps (the warm-up cut to fit in them). */
    public RecipeSettings withSteps(int steps) {
        return new RecipeSettings(layers, dModel, heads, kvHeads, dMlp, seqLen, batch, steps, learningRate, Math.max(0, Math.min(warmup, steps)), seed);
    }

    /** The same settings with another seed. */
    public RecipeSettings withSeed(long seed) {
        return new RecipeSettings(layers, dModel, heads, kvHeads, dMlp, seqLen, batch, steps, learningRate, warmup, seed);
    }

    /** The smallest and largest value of every field a recipe accepts (the seed is free). */
    public record Limits(RecipeSettings min, RecipeSettings max) {
        /** Throws an IllegalArgumentException naming the first field out of its range, or a shape that does not fit. */
        public void check(RecipeSettings s) {
            range("layers", s.layers(), min.layers(), max.layers());
            range("dModel", s.dModel(), min.dModel(), max.dModel());
            range("heads", s.heads(), min.heads(), max.heads());
            range("kvHeads", s.kvHeads(), min.kvHeads(), max.kvHeads());
            range("dMlp", s.dMlp(), min.dMlp(), max.dMlp());
            range("seqLen", s.seqLen(), min.seqLen(), max.seqLen());
            range("batch", s.batch(), min.batch(), max.batch());
            range("steps", s.steps(), min.steps(), max.steps());
            range("warmup", s.warmup(), min.warmup(), Math.min(max.warmup(), s.steps()));
            if (!(s.learningRate() >= min.learningRate() && s.learningRate() <= max.learningRate())) {
                throw new IllegalArgumentException("learningRate in [" + min.learningRate() + ", " + max.learningRate() + "] expected, found " + s.learningRate());
            }
            if (s.dModel() % s.heads() != 0 || (s.dModel() / s.heads()) % 2 != 0) {
                throw new IllegalArgumentException("dModel " + s.dModel() + " must split into " + s.heads() + " heads of even size (RoPE turns pairs)");
            }
            if (s.heads() % s.kvHeads() != 0) {
                throw new IllegalArgumentException("heads (" + s.heads() + ") a multiple of kvHeads (" + s.kvHeads() + ") expected");
            }
        }

        private static void range(String field, int value, int lo, int hi) {
            if (value < lo || value > hi) throw new IllegalArgumentException(field + " in [" + lo + ", " + hi + "] expected, found " + value);
        }
    }
}
