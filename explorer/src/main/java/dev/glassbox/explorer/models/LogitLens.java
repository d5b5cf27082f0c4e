package dev.glassbox.explorer.models;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.tensor.TopK;
import dev.glassbox.explorer.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What the model "would say" at each depth. For a decoder, the logit lens: the residual stream after
 * every block, put through the final norm and the unembedding as if the model stopped there. For an
 * encoder, which has no unembedding, the vocabulary entries whose embeddings point the same way as the
 * hidden state (cosine similarity).
 */
public final class LogitLens {
    private LogitLens() {}

    /** One depth's best guesses at one position: token ids with their probability (decoders) or cosine (encoders). */
    public record Guess(String layer, int[] tokens, float[] scores) {}

    /** For each depth (the input to the first block, then after each block), the {@code k} top tokens at {@code position}. */
    public static List<Guess> decode(Decoder model, int[] tokens, int position, int k) {
        Architecture a = model.architecture();
        checkPosition(position, tokens.length);
        Transformer.CachedRun run = model.runWithCache(tokens, depths(a.layers())::contains);
        List<Guess> guesses = new ArrayList<>();
        for (String name : depths(a.layers())) {
            float[] row = row(run.cache().get(name), position, a.dModel());
            float[] p = Sampler.probabilities(model.unembed(row, 1), 0, a.vocab());
            guesses.add(top(name, p, k));
        }
        return guesses;
    }

    /** For each depth of an encoder, the {@code k} vocabulary entries most similar to the hidden state at {@code position}. */
    public static List<Guess> nearestTokens(Bert model, int[] tokens, int position, int k) {
        Architecture a = model.architecture();
        checkPosition(position, tokens.length);
        // BERT normalizes after each block's MLP, so a block's output is its ln2, not its resid_post
        List<String> names = new ArrayList<>();
        names.add(HookName.block(0, HookName.InBlock.RESID_PRE));
        names.addAll(HookName.all(a.layers(), HookName.InBlock.LN2));
        Transformer.CachedRun run = model.runWithCache(tokens, names::contains);
        Tensor table = model.wordEmbeddings();
        int d = a.dModel();
        float[] rowBuffer = new float[d];
        List<Guess> guesses = new ArrayList<>();
        for (String name : names) {
            float[] h = row(run.cache().get(name), position, d);
            float hNorm = (float) Math.sqrt(Kernels.dot(h, h, d));
            float[] cosine = new float[a.vocab()];
            for (int t = 0; t < a.vocab(); t++) {
                table.readFloats((long) t * d, rowBuffer, 0, d);
                float dot = Kernels.dot(h, rowBuffer, d), norm = (float) Math.sqrt(Kernels.dot(rowBuffer, rowBuffer, d));
                cosine[t] = dot / Math.max(hNorm * norm, 1e-12f);
            }
            guesses.add(top(name, cosine, k));
        }
        return guesses;
    }

    /** blocks.0.hook_resid_pre (the embedding as the first block sees it), then blocks.{i}.hook_resid_post for every block. */
    static List<String> depths(int layers) {
        List<String> names = new ArrayList<>();
        names.add(HookName.block(0, HookName.InBlock.RESID_PRE));
        names.addAll(HookName.all(layers, HookName.InBlock.RESID_POST));
        return names;
    }

    private static float[] row(Activation a, int position, int width) {
        float[] r = new float[width];
        System.arraycopy(a.data(), position * width, r, 0, width);
        return r;
    }

    /** The k highest scores, highest first. */
    static Guess top(String name, float[] scores, int k) {
        int[] best = TopK.indices(scores, k);
        float[] value = new float[best.length];
        for (int i = 0; i < best.length; i++) value[i] = scores[best[i]];
        return new Guess(name, best, value);
    }

    private static void checkPosition(int position, int length) {
        if (position < 0 || position >= length) throw new IllegalArgumentException("position in [0, " + length + ") expected, found " + position);
    }
}
