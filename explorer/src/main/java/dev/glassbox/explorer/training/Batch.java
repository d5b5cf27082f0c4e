package dev.glassbox.explorer.training;

/**
 * A batch of {@code batch} sequences of {@code seqLen} tokens, flat, sequence after sequence, with the token each
 * position should predict ({@code targets}, -1 where the loss ignores a position).
 */
public record Batch(int[] tokens, int[] targets, int batch, int seqLen) {
    public Batch {
        if (batch < 1 || seqLen < 1 || tokens.length != batch * seqLen || targets.length != tokens.length) {
            throw new IllegalArgumentException(batch + " x " + seqLen + " tokens and as many targets expected, found "
                    + tokens.length + " and " + targets.length);
        }
    }

    /** Targets for next-token prediction: each sequence's tokens shifted by one, the last position ignored. */
    public static Batch nextToken(int[] tokens, int batch, int seqLen) {
        int[] targets = new int[tokens.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seqLen; i++) targets[b * seqLen + i] = i + 1 < seqLen ? tokens[b * seqLen + i + 1] : -1;
        }
        return new Batch(tokens, targets, batch, seqLen);
    }
}
