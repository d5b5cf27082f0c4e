package dev.glassbox.explorer.bench;

import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.kernels.Matrix;
import dev.glassbox.explorer.models.Bert;
import dev.glassbox.explorer.models.Hooks;
import dev.glassbox.explorer.models.Ops;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where MiniLM's forward time goes, per operation, at 1 and 2 threads: an {@link Ops} that times each call of
 * the built-in one. Each figure is the median over runs of the time one forward pass spends in that operation,
 * so the columns show which work the second thread speeds up and which stays serial.
 * Run (class path of the bench profile): {@code java --add-modules jdk.incubator.vector -cp ...
 * dev.glassbox.explorer.bench.MiniLmProfile [tokens] [runs]}.
 */
public final class MiniLmProfile {

    public static void main(String[] args) throws Exception {
        int length = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Bert bert = Bert.load(MiniLm.onnx(), 12, 1e-12f, Tokenizer.fromFile(MiniLm.tokenizer()));
        int[] tokens = MiniLmBenchmark.tokens(bert, length);
        Map<Integer, Map<String, Double>> byThreads = new LinkedHashMap<>();
        for (int threads : new int[] {1, 2}) {
            Kernels.setThreads(threads);
            Timed ops = new Timed();
            for (int i = 0; i < 40; i++) bert.run(tokens, Hooks.none(), ops);       // warm-up
            Map<String, double[]> perRun = new LinkedHashMap<>();
            double[] total = new double[runs];
            for (int r = 0; r < runs; r++) {
                ops.nanos.clear();
                long t0 = System.nanoTime();
                bert.run(tokens, Hooks.none(), ops);
                total[r] = (System.nanoTime() - t0) / 1e6;
                for (var e : ops.nanos.entrySet()) perRun.computeIfAbsent(e.getKey(), k -> new double[runs])[r] = e.getValue()[0] / 1e6;
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            perRun.forEach((op, ms) -> medians.put(op, MiniLmBenchmark.median(ms)));
            medians.put("total", MiniLmBenchmark.median(total));
            byThreads.put(threads, medians);
        }
        System.out.printf("MiniLM, %d tokens, median ms per forward pass over %d runs%n%-18s %8s %8s %8s%n", length, runs, "op", "1 thread", "2 threads", "speed-up");
        for (String op : byThreads.get(1).keySet()) {
            double one = byThreads.get(1).get(op), two = byThreads.get(2).getOrDefault(op, 0.0);
            System.out.printf("%-18s %8.2f %8.2f %8.2fx%n", op, one, two, one / two);
        }
        bert.close();
    }

    /** The built-in kernels, each call's wall time added to its operation's total. */
    private static final class Timed implements Ops {
        final Map<String, long[]> nanos = new LinkedHashMap<>();

        private void time(String op, Runnable call) {
            long t0 = System.nanoTime();
            call.run();
            nanos.computeIfAbsent(op, k -> new long[1])[0] += System.nanoTime() - t0;
        }

        @Override public void matmul(float[] out, float[] x, Matrix w, int m) { time("matmul " + w.n() + "x" + w.d(), () -> Ops.super.matmul(out, x, w, m)); }
        @Override public void linear(float[] out, float[] x, Matrix w, float[] bias, int m) { time("linear " + w.n() + "x" + w.d(), () -> Ops.BUILT_IN.linear(out, x, w, bias, m)); }
        @Override public void softmaxRows(float[] x, int rows, int n) { time("softmax", () -> Ops.super.softmaxRows(x, rows, n)); }
        @Override public void layerNorm(float[] out, float[] x, float[] weight, float[] bias, int m, int n, float eps) { time("layerNorm", () -> Ops.super.layerNorm(out, x, weight, bias, m, n, eps)); }
        @Override public void gelu(float[] x, int n) { time("gelu", () -> Ops.super.gelu(x, n)); }
        @Override public void attentionScores(float[] scores, float[] q, float[] k, int s, int t, int heads, int kvHeads, int headDim, int past, boolean causal) { time("attentionScores", () -> Ops.super.attentionScores(scores, q, k, s, t, heads, kvHeads, headDim, past, causal)); }
        @Override public void attentionValues(float[] z, float[] pattern, float[] v, int s, int t, int heads, int kvHeads, int headDim) { time("attentionValues", () -> Ops.super.attentionValues(z, pattern, v, s, t, heads, kvHeads, headDim)); }
        @Override public void add(float[] out, float[] a, float[] b, int n) { time("add", () -> Ops.super.add(out, a, b, n)); }
        @Override public void addBias(float[] x, float[] bias, int m, int d) { time("addBias", () -> Ops.super.addBias(x, bias, m, d)); }
    }
}
