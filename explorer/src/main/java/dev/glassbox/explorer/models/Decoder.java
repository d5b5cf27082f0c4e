package dev.glassbox.explorer.models;

import java.util.Arrays;
import java.util.function.Consumer;

/** A causal language model: reads tokens, gives next-token logits, and can generate text. */
public sealed interface Decoder extends Transformer permits Llama, Gpt2 {

    /** One generated token, with the distribution it was drawn from. */
    record Step(int position, int token, String text, Sampler.Candidates candidates) {}

    /** tokens (s,) at positions cache.length()... -> logits (s, vocab); appends their keys and values to {@code cache}. */
    Output run(int[] tokens, KvCache cache, Hooks hooks, Ops ops);

    default Output run(int[] tokens, KvCache cache, Hooks hooks) { return run(tokens, cache, hooks, Ops.BUILT_IN); }

    /** The residual stream (rows, d_model) through the final norm and the unembedding -> logits (rows, vocab): the logit lens. */
    float[] unembed(float[] residual, int rows, Ops ops);

    default float[] unembed(float[] residual, int rows) { return unembed(residual, rows, Ops.BUILT_IN); }

    default KvCache newCache() { return new KvCache(architecture()); }

    @Override default Output run(int[] tokens, Hooks hooks, Ops ops) { return run(tokens, newCache(), hooks, ops); }

    /** Logits (s * vocab), row-major. */
    default float[] logits(int[] tokens) { return run(tokens).values(); }

    /** The prompt continued by {@code steps} most likely tokens (the continuation only). */
    default int[] greedy(int[] prompt, int steps) {
        int[] out = new int[steps];
        int[] i = {0};
        generate(prompt, steps, Sampler.greedy(), step -> out[i[0]++] = step.token());
        return Arrays.copyOf(out, i[0]);
    }

    /**
     * Continues {@code prompt} by up to {@code maxTokens} tokens drawn by {@code sampler}, calling
     * {@code onStep} as each one is chosen; stops early when the context is full. Returns the new tokens.
     */
    default int[] generate(int[] prompt, int maxTokens, Sampler sampler, Consumer<Step> onStep) {
        if (prompt.length == 0) throw new IllegalArgumentException("a prompt of at least one token expected");
        int vocab = architecture().vocab();
        KvCache cache = newCache();
        int room = Math.min(maxTokens, cache.context() - prompt.length);
        int[] generated = new int[Math.max(room, 0)];
        Output out = run(prompt, cache, Hooks.none());
        float[] last = out.row(out.rows() - 1);                                       // (vocab,) after the prompt
        for (int n = 0; n < generated.length; n++) {
            Sampler.Candidates candidates = sampler.candidates(last, 0, vocab);
            int token = sampler.draw(candidates);
            generated[n] = token;
            onStep.accept(new Step(cache.length(), token, tokenText(token), candidates));
            if (n + 1 < generated.length) last = run(new int[] {token}, cache, Hooks.none()).row(0);
        }
        return generated;
    }

    /** How a token reads in text, or {@code <id>} without a tokenizer. */
    default String tokenText(int token) {
        try {
            return tokenizer().decode(new int[] {token});
        } catch (IllegalStateException noTokenizer) {
            return "<" + token + ">";
        }
    }
}
