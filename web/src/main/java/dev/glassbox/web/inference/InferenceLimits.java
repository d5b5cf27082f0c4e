package dev.glassbox.web.inference;

/**
 * The caps on one inference request. They keep one request's CPU time and answer size small enough that a
 * class sharing one server all get answers: a MiniLM pass over 256 tokens takes tens of milliseconds, and
 * its full attention (6 layers x 12 heads x 256 x 256) is the largest answer the API sends.
 *
 * @param textChars       characters of text or prompt
 * @param tokens          tokens of one run of the attention, trace and layer endpoints (also never more than the model's context)
 * @param generateTokens  new tokens one generate request may ask for
 * @param attentionValues numbers in one attention answer: layers x heads x tokens x tokens
 * @param traceValues     numbers in one trace answer, all hooks together
 * @param traceHooks      hook names in one trace request
 * @param loadedModels    models kept loaded at once
 */
public record InferenceLimits(int textChars, int tokens, int generateTokens, long attentionValues, long traceValues,
                             int traceHooks, int loadedModels) {
    public InferenceLimits {
        if (textChars < 1 || tokens < 1 || generateTokens < 1 || attentionValues < 1 || traceValues < 1 || traceHooks < 1 || loadedModels < 1) {
            throw new IllegalArgumentException("inference limits must be positive");
        }
    }

    public static InferenceLimits defaults() {
        return new InferenceLimits(2000, 256, 256, 6L * 12 * 256 * 256, 1_000_000, 32, 3);
    }
}
