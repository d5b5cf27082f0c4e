package dev.glassbox.tinymodels.bench;

import dev.glassbox.explorer.kernels.Kernels;
import dev.glassbox.explorer.models.Decoder;
import dev.glassbox.explorer.models.Sampler;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.tinymodels.GgufExport;
import dev.glassbox.tinymodels.ModelCatalog;
import dev.glassbox.tinymodels.ModelEntry;
import dev.glassbox.tinymodels.llamacpp.LlamaCpp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy decode speed of a model's GGUF exports (F32, Q8_0, Q4_0), Glassbox against llama.cpp (node-llama-cpp
 * 3.21.1) on the same file, one thread each, the same prompt and number of tokens. Decode time is from the first
 * generated token to the last, so the prompt's prefill is left out on both sides; tokens/s = (tokens - 1) / time.
 * The two run in alternating rounds (a block of Glassbox runs, then a block in one llama.cpp process, whose first
 * runs are its warm-up), so a noisy neighbour slows both alike; each round gives a ratio of medians and the
 * figure is the median over rounds. Prints {@code RESULT decode_ratio_<dtype>_t1=X} (Glassbox tokens/s over
 * llama.cpp tokens/s; above 1 Glassbox is faster) and both rates.
 * Run: {@code ./mvnw -q -B -pl tiny-models -am -Pbench verify [-Dmodel=tiny-llama-random]} (see BENCHMARKS.md).
 */
public final class DecodeBenchmark {
    static final String PROMPT = "Once upon a time";

    public static void main(String[] args) throws Exception {
        String model = args.length > 0 ? args[0] : "tiny-llama-random";
        int rounds = Integer.getInteger("glassbox.bench.rounds", 5), runs = Integer.getInteger("glassbox.bench.runs", 10);
        int warmup = 3;
        Kernels.setThreads(1);
        ModelCatalog catalog = ModelCatalog.load(Path.of("target", "bench-models").toAbsolutePath(), null);
        System.out.printf("Greedy decode of %s, 1 thread, %d rounds of %d runs each side; vector width %d bits%n",
                model, rounds, runs, Kernels.vectorBits());
        for (DType type : GgufExport.TYPES) {
            String id = model + "-" + type.name().toLowerCase(java.util.Locale.ROOT);
            ModelEntry entry = catalog.find(id).orElseThrow(() -> new IllegalArgumentException("no GGUF export " + id + " in the catalog: "
                    + catalog.entries().stream().map(ModelEntry::id).toList()));
            try (Transformer loaded = entry.load()) {
                Decoder decoder = (Decoder) loaded;
                int[] prompt = decoder.tokenizer().encode(PROMPT, false).ids();
                int tokens = Math.min(128, decoder.architecture().context() - prompt.length - 1);
                for (int i = 0; i < 5; i++) glassboxTokensPerSecond(decoder, prompt, tokens);   // JIT warm-up
                List<Double> ours = new ArrayList<>(), theirs = new ArrayList<>(), ratios = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    double[] g = new double[runs];
                    for (int i = 0; i < runs; i++) g[i] = glassboxTokensPerSecond(decoder, prompt, tokens);
                    LlamaCpp.Result result = LlamaCpp.run(new LlamaCpp.Request(entry.file(), List.of(prompt), tokens, List.of(), warmup + runs));
                    double[] ms = Arrays.copyOfRange(result.decodeMs().getFirst(), warmup, warmup + runs);
                    double[] l = Arrays.stream(ms).map(t -> (tokens - 1) / (t / 1000)).toArray();
                    for (double v : g) ours.add(v);
                    for (double v : l) theirs.add(v);
                    ratios.add(median(g) / median(l));
                }
                double[] o = ours.stream().mapToDouble(Double::doubleValue).toArray(), t = theirs.stream().mapToDouble(Double::doubleValue).toArray();
                double[] q = ratios.stream().mapToDouble(Double::doubleValue).toArray();
                System.out.printf("%-5s %d prompt + %d tokens: Glassbox %8.1f tok/s (p10 %.1f, p90 %.1f), llama.cpp %8.1f tok/s (p10 %.1f, p90 %.1f),"
                                + " ratio %.2f (rounds %.2f..%.2f)%n", type, prompt.length, tokens, median(o), pct(o, 10), pct(o, 90),
                        median(t), pct(t, 10), pct(t, 90), median(q), min(q), max(q));
                String key = type.name().toLowerCase(java.util.Locale.ROOT);
                System.out.printf("RESULT decode_tps_%s_t1=%.1f%n", key, median(o));
                System.out.printf("RESULT decode_llamacpp_tps_%s_t1=%.1f%n", key, median(t));
                System.out.printf("RESULT decode_ratio_%s_t1=%.3f%n", key, median(q));
            }
        }
    }

    /** One greedy generation of {@code tokens} tokens: (tokens - 1) over the time from the first token to the last. */
    static double glassboxTokensPerSecond(Decoder decoder, int[] prompt, int tokens) {
        long[] at = new long[tokens];
        int[] n = {0};
        decoder.generate(prompt, tokens, Sampler.greedy(), step -> at[n[0]++] = System.nanoTime());
        if (n[0] != tokens) throw new IllegalStateException("generated " + n[0] + " of " + tokens + " tokens");
        return (tokens - 1) / ((at[tokens - 1] - at[0]) / 1e9);
    }

    static double median(double[] x) { return pct(x, 50); }

    static double pct(double[] x, int p) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.round(p / 100.0 * (s.length - 1)))];
    }

    static double min(double[] x) { return Arrays.stream(x).min().orElseThrow(); }

    static double max(double[] x) { return Arrays.stream(x).max().orElseThrow(); }
}
