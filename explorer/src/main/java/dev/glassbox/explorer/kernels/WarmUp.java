package dev.glassbox.explorer.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Runs every inference kernel a forward pass uses on small made-up inputs, so that the JIT compiles them
 * before a learner's first forward pass needs them. Until C2 has compiled a Vector API loop, each vector
 * operation runs as plain Java that allocates its lanes: a fresh JVM took 1.7-3.4 s for MiniLM's first
 * embedding of one sentence, and 0.3-0.4 s after these rounds (BENCHMARKS.md, "A notebook that is fast
 * from its first cell"). The shapes are MiniLM's (hidden 384, FFN 1536, 12 heads of 32) and a decoder's
 * (RMSNorm, SiLU, RoPE, causal attention, quantized weights, the tiny decoders' widths), over 11 tokens and one.
 *
 * <p>A notebook kernel runs this in the background while it waits in the pool, and stops at once when a
 * learner's first request arrives ({@code keepGoing} turns false): the results are thrown away.
 */
public final class WarmUp {
    /** Rounds after which the first embedding took 0.3-0.4 s instead of 1.7-3.4 s; more bought little. */
    public static final int ROUNDS = 40;

    /** 11 tokens = 8 + 2 + 1: every row tile of {@link Tiles} (a shape left out ran interpreted in the first pass). */
    private static final int TOKENS = 11, HIDDEN = 384, FFN = 1536, HEADS = 12, HEAD_DIM = 32;
    /** A tiny decoder's widths (64 and 192): column counts that end in a masked tile. */
    private static final int SMALL = 64, SMALL_FFN = 192;

    private WarmUp() {}

    /** Runs up to {@link #ROUNDS} rounds, checking {@code keepGoing} between kernels; returns the rounds completed. */
    public static int run(BooleanSupplier keepGoing) {
        Random random = new Random(1);
        float[] x = values(TOKENS * HIDDEN, random), gain = values(FFN, random), hidden = new float[TOKENS * HIDDEN];
        float[] up = new float[TOKENS * FFN], gate = new float[TOKENS * FFN], projected = new float[TOKENS * HIDDEN];
        float[] scores = new float[HEADS * TOKENS * TOKENS];
        Matrix.F32 square = new Matrix.F32(values(HIDDEN * HIDDEN, random), HIDDEN, HIDDEN);      // (384, 384)
        Matrix.F32 widen = new Matrix.F32(values(HIDDEN * FFN, random), HIDDEN, FFN);            // (384, 1536)
        Matrix.F32 narrow = new Matrix.F32(values(FFN * HIDDEN, random), FFN, HIDDEN);           // (1536, 384)
        Matrix q8 = new Matrix.Q8_0(blocks(HIDDEN, FFN, Matrix.Q8_0_BLOCK_BYTES, random), HIDDEN, FFN);
        Matrix q4 = new Matrix.Q4_0(blocks(HIDDEN, FFN, Matrix.Q4_0_BLOCK_BYTES, random), HIDDEN, FFN);
        Matrix.F32 small = new Matrix.F32(values(SMALL * SMALL_FFN, random), SMALL, SMALL_FFN);   // (64, 192)
        int round = 0;
        for (; round < ROUNDS; round++) {
            for (int rows : new int[] {TOKENS, 1}) {
                // an encoder layer: LayerNorm, a projection with bias, attention, a GELU MLP, the residual add
                Kernels.layerNorm(hidden, x, gain, gain, rows, HIDDEN, 1e-12f);
                Kernels.linear(projected, hidden, square, gain, rows);
                if (!keepGoing.getAsBoolean()) return round;
                Kernels.attentionScores(scores, projected, projected, rows, rows, HEADS, HEADS, HEAD_DIM, 0, false);
                Kernels.softmaxRows(scores, HEADS * rows, rows);
                Kernels.attentionValues(hidden, scores, projected, rows, rows, HEADS, HEADS, HEAD_DIM);
                Kernels.linear(up, hidden, widen, gain, rows);
                Kernels.gelu(up, rows * FFN);
                Kernels.linear(projected, up, narrow, gain, rows);
                Kernels.addBias(projected, gain, rows, HIDDEN);             // BERT's token-type row
                Kernels.add(hidden, hidden, projected, rows * HIDDEN);
                if (!keepGoing.getAsBoolean()) return round;
                // a decoder layer: RMSNorm, RoPE, causal attention, a gated SiLU MLP on quantized weights
                Kernels.rmsNorm(hidden, x, gain, rows, HIDDEN, 1e-5f);
                Kernels.rope(hidden, rows, HEADS, HEAD_DIM, 0, 10000f, false);
                Kernels.attentionScores(scores, hidden, hidden, rows, rows, HEADS, HEADS, HEAD_DIM, 0, true);
                Kernels.matmul(gate, hidden, q8, rows);
                Kernels.matmul(up, hidden, q4, rows);
                Kernels.silu(gate, rows * FFN);
                Kernels.mul(up, up, gate, rows * FFN);
                Kernels.geluTanh(gate, rows * FFN);
                Kernels.matmul(up, x, small, rows);                         // a tiny decoder's width, as Llama (no bias) and GPT-2 (bias)
                Kernels.linear(up, x, small, gain, rows);
                if (!keepGoing.getAsBoolean()) return round;
            }
        }
        return round;
    }

    private static float[] values(int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = random.nextFloat() - 0.5f;
        return v;
    }

    /** d rows of n/32 quantized blocks of {@code blockBytes}, each led by the float16 scale 1/64 (0x2400). */
    private static MemorySegment blocks(int n, int d, int blockBytes, Random random) {
        byte[] bytes = new byte[d * (n / 32) * blockBytes];
        random.nextBytes(bytes);
        for (int at = 0; at < bytes.length; at += blockBytes) {
            bytes[at] = 0x00;
            bytes[at + 1] = 0x24;
        }
        return MemorySegment.ofArray(bytes);
    }
}
