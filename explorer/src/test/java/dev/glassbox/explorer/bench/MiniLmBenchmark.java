package dev.glassbox.explorer.bench;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.models.Bert;
import dev.glassbox.explorer.models.OnnxRuntimeMiniLm;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.util.Arrays;

/**
 * MiniLM (all-MiniLM-L6-v2) forward latency at batch 1, Glassbox against ONNX Runtime on the same file,
 * in one process, with the same number of threads. The two are timed in alternation (ours, theirs, ours,
 * ...), so a noisy neighbour slows both alike, and each pair gives one ratio; the median ratio is the figure.
 * Each run starts after a pause ({@code -Dglassbox.bench.pause.ms}, 100 by default) in which the other engine's
 * worker threads stop spinning: right after an ONNX Runtime run its spinning pool thread held half of the second
 * core, and Glassbox's two threads ran no faster than one; 20 ms was enough on one day and not on another (Glassbox
 * at 128 tokens on two threads, 20 ms after an ONNX Runtime run: 43 ms, 100 ms after: 25 ms, alone: 27 ms; BENCHMARKS.md).
 * Prints {@code RESULT minilm_ratio_seq{n}_t{threads}=...} lines (ratio = Glassbox time / ONNX Runtime time) at 8, 32, 128 and 256 tokens (or {@code -Dglassbox.bench.lengths=...}).
 * Run: {@code ./mvnw -q -B -pl explorer -Pbench verify} (see BENCHMARKS.md).
 */
public final class MiniLmBenchmark {
    public static void main(String[] args) throws Exception {
        int pairs = Integer.getInteger("glassbox.bench.pairs", 200);
        int[] threadCounts = Arrays.stream(System.getProperty("glassbox.bench.threads", "1").split(",")).mapToInt(Integer::parseInt).toArray();
        int pause = Integer.getInteger("glassbox.bench.pause.ms", 100);
        int[] lengths = Arrays.stream(System.getProperty("glassbox.bench.lengths", "8,32,128,256").split(",")).mapToInt(Integer::parseInt).toArray();
        Bert bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()));
        System.out.printf("MiniLM forward, batch 1, %d alternating pairs per figure; vector width %d bits%n", pairs, Kernels.vectorBits());
        for (int threads : threadCounts) {
            Kernels.setThreads(threads);
            try (OnnxRuntimeMiniLm ort = new OnnxRuntimeMiniLm(threads)) {
                for (int length : lengths) {
                    int[] tokens = tokens(bert, length);
                    for (int i = 0; i < 30; i++) {                              // warm-up: JIT for ours, arena growth for theirs
                        bert.run(tokens);
                        ort.lastHiddenState(tokens);
                    }
                    double[] ours = new double[pairs], theirs = new double[pairs], ratio = new double[pairs];
                    for (int p = 0; p < pairs; p++) {
                        Thread.sleep(pause);
                        long t0 = System.nanoTime();
                        bert.run(tokens);
                        long t1 = System.nanoTime();
                        Thread.sleep(pause);
                        long t2 = System.nanoTime();
                        ort.lastHiddenState(tokens);
                        long t3 = System.nanoTime();
                        ours[p] = (t1 - t0) / 1e6;
                        theirs[p] = (t3 - t2) / 1e6;
                        ratio[p] = ours[p] / theirs[p];
                    }
                    System.out.printf("seq %3d, %d thread(s): Glassbox %6.2f ms (p10 %.2f, p90 %.2f), ONNX Runtime %6.2f ms (p10 %.2f, p90 %.2f), ratio %.2f (p10 %.2f, p90 %.2f)%n",
                            length, threads, median(ours), pct(ours, 10), pct(ours, 90), median(theirs), pct(theirs, 10), pct(theirs, 90),
                            median(ratio), pct(ratio, 10), pct(ratio, 90));
                    System.out.printf("RESULT minilm_ms_seq%d_t%d=%.3f%n", length, threads, median(ours));
                    System.out.printf("RESULT minilm_ort_ms_seq%d_t%d=%.3f%n", length, threads, median(theirs));
                    System.out.printf("RESULT minilm_ratio_seq%d_t%d=%.3f%n", length, threads, median(ratio));
                }
            }
        }
        bert.close();
    }

    /** Exactly {@code length} tokens of real text: [CLS], words, [SEP]. */
    static int[] tokens(Bert bert, int length) {
        int[] ids = bert.encode("Glassbox runs a real open model in code a learner can read, and shows what happens inside it. ".repeat(20));
        int[] out = Arrays.copyOf(ids, length);
        out[length - 1] = ids[ids.length - 1];
        return out;
    }

    static double median(double[] x) { return pct(x, 50); }

    static double pct(double[] x, int p) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.round(p / 100.0 * (s.length - 1)))];
    }
}
