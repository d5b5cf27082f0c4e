package dev.glassbox.explorer.quantization;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.models.Bert;
import dev.glassbox.explorer.models.Decoder;
import dev.glassbox.explorer.models.Transformer;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.training.Batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The quantization lab: one model as F32 and as each block type, side by side. Per tensor, the error of each type
 * ({@link QuantizationError}); per variant, the bytes of its weights, its measured speed (median of a few repeats),
 * and its quality: for a decoder the held-out loss and perplexity and greedy generations, for an encoder the cosine
 * of its sentence embeddings to F32's and whether each query still finds the same sentence on top.
 *
 * <pre>{@code
 * QuantizationLab.Report r = QuantizationLab.run(path, List.of(DType.Q8_0, DType.Q4_0), inputs, progress -> {});
 * r.variant(DType.Q4_0).heldOutLoss();
 * }</pre>
 */
public final class QuantizationLab {
    /** Bins of each tensor's error histogram. */
    public static final int BINS = 41;

    private QuantizationLab() {}

    /** A prompt for the generations, as text for the page and as the tokens the model reads. */
    public record Prompt(String text, int[] tokens) {}

    /**
     * What the variants are measured on; empty lists skip a measurement.
     *
     * @param heldOut     batches never trained on, scored token by token (decoders)
     * @param prompts     greedy continuations of these, {@code generate} tokens each; the first also times decoding
     * @param speedTokens tokens generated per timed repeat (decoders)
     * @param repeats     timed repeats; the median is reported
     * @param sentences   the corpus of the retrieval test and the cosine check (encoders)
     * @param queries     each finds its nearest sentence (encoders)
     */
    public record Inputs(List<Batch> heldOut, List<Prompt> prompts, int generate, int speedTokens, int repeats,
                         List<String> sentences, List<String> queries) {
        public Inputs {
            heldOut = List.copyOf(heldOut);
            prompts = List.copyOf(prompts);
            sentences = List.copyOf(sentences);
            queries = List.copyOf(queries);
            if (generate < 0 || speedTokens < 1 || repeats < 1) {
                throw new IllegalArgumentException("generate >= 0, speedTokens >= 1 and repeats >= 1 expected, found " + generate + ", "
                        + speedTokens + ", " + repeats);
            }
        }
    }

    /** How far the lab is: {@code done} of {@code total} steps, now doing {@code step}. */
    public record Progress(int done, int total, String step) {}

    /** A measured speed: tokens (decoders) or sentences (encoders) per second over {@code repeats} runs. */
    public record Speed(String unit, double median, double min, double max, int repeats) {}

    /** One query of the retrieval test: the sentence F32 puts on top, the one this variant puts on top. */
    public record Retrieval(String query, String expected, String found, boolean same) {}

    /**
     * An encoder variant's agreement with F32: the cosine of each sentence's embedding to F32's (mean and lowest),
     * and the retrieval test.
     */
    public record Embeddings(double meanCosine, double minCosine, int sameTop, int queries, List<Retrieval> retrievals) {}

    /** A greedy continuation of a prompt. */
    public record Generation(String prompt, String text) {}

    /**
     * One variant of the model. {@code type} F32 is the model as stored.
     *
     * @param weightBytes   the bytes of all its tensors
     * @param heldOutLoss   mean cross-entropy (nats per scored token), NaN without held-out data or for an encoder
     * @param embeddings    null for a decoder
     */
    public record Variant(DType type, long weightBytes, int quantizedTensors, Speed speed, double heldOutLoss,
                          List<Generation> generations, Embeddings embeddings) {
        public double perplexity() { return Math.exp(heldOutLoss); }
    }

    /** Everything the lab measured; {@code tensors} holds one entry per quantizable tensor and type. */
    public record Report(String family, List<QuantizationError> tensors, List<Variant> variants) {
        public Variant variant(DType type) {
            return variants.stream().filter(v -> v.type() == type).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no " + type + " variant; the lab ran " + variants.stream().map(Variant::type).toList()));
        }

        /** The errors of one type, tensor by tensor in file order. */
        public List<QuantizationError> tensors(DType type) {
            return tensors.stream().filter(t -> t.type() == type).toList();
        }
    }

    /** Runs the lab on the model in {@code path} (anything {@link Transformer#load(Path)} reads) for each of {@code types}. */
    public static Report run(Path path, List<DType> types, Inputs inputs, Consumer<Progress> progress) throws IOException {
        for (DType type : types) {
            if (!QuantizationError.TYPES.contains(type)) throw new IllegalArgumentException("types in " + QuantizationError.TYPES + " expected, found " + type);
        }
        int total = 1 + 2 * types.size(), done = 0;
        List<QuantizationError> errors = new ArrayList<>();
        List<Variant> variants = new ArrayList<>();
        long[] bytes = new long[1];
        progress.accept(new Progress(done, total, "measuring the error of each tensor"));
        String family;
        Reference reference;
        try (Transformer model = Transformer.load(path, file -> {       // the file as stored: measure each tensor on the way
            for (DType type : types) {
                for (Tensor t : file.tensors()) if (QuantizationError.quantizable(t, type)) errors.add(QuantizationError.measure(t, type, BINS));
            }
            bytes[0] = QuantizedWeights.weightBytes(file);
            return file;
        })) {
            progress.accept(new Progress(++done, total, "running the model as stored (F32)"));
            family = model.architecture().family().id();
            reference = Reference.of(model, inputs);
            variants.add(measure(model, DType.F32, bytes[0], 0, inputs, reference));
        }
        for (DType type : types) {
            progress.accept(new Progress(++done, total, "quantizing the weights to " + type));
            int quantized = (int) errors.stream().filter(e -> e.type() == type).count();
            try (Transformer model = Transformer.load(path, file -> {
                ModelFile q = QuantizedWeights.of(file, type);
                bytes[0] = QuantizedWeights.weightBytes(q);
                return q;
            })) {
                progress.accept(new Progress(++done, total, "running the model with " + type + " weights"));
                variants.add(measure(model, type, bytes[0], quantized, inputs, reference));
            }
        }
        progress.accept(new Progress(total, total, "done"));
        return new Report(family, errors, variants);
    }

    /** What F32 gives, for the variants to be compared with: each sentence's embedding and each query's top sentence. */
    private record Reference(float[][] sentences, int[] top) {
        static Reference of(Transformer model, Inputs inputs) {
            if (!(model instanceof Bert bert) || inputs.sentences().isEmpty()) return new Reference(new float[0][], new int[0]);
            float[][] embedded = embedAll(bert, inputs.sentences());
            return new Reference(embedded, topSentences(embedAll(bert, inputs.queries()), embedded));
        }
    }

    private static Variant measure(Transformer model, DType type, long weightBytes, int quantized, Inputs inputs, Reference reference) {
        if (model instanceof Decoder decoder) {
            List<Generation> generations = new ArrayList<>();
            for (Prompt p : inputs.prompts()) {
                int[] continuation = decoder.greedy(p.tokens(), inputs.generate());
                generations.add(new Generation(p.text(), text(decoder, continuation)));
            }
            Speed speed = inputs.prompts().isEmpty() ? null : decodeSpeed(decoder, inputs.prompts().getFirst().tokens(), inputs.speedTokens(), inputs.repeats());
            double loss = inputs.heldOut().isEmpty() ? Double.NaN : heldOutLoss(decoder, inputs.heldOut());
            return new Variant(type, weightBytes, quantized, speed, loss, generations, null);
        }
        Bert bert = (Bert) model;
        Embeddings embeddings = null;
        Speed speed = null;
        if (!inputs.sentences().isEmpty()) {
            float[][] sentences = embedAll(bert, inputs.sentences());
            float[][] queries = embedAll(bert, inputs.queries());
            double sum = 0, min = 1;
            for (int i = 0; i < sentences.length; i++) {
                double c = dot(sentences[i], reference.sentences()[i]);        // both have length 1: the dot product is the cosine
                sum += c;
                min = Math.min(min, c);
            }
            int[] top = topSentences(queries, sentences);
            List<Retrieval> retrievals = new ArrayList<>();
            int same = 0;
            for (int q = 0; q < top.length; q++) {
                boolean agrees = top[q] == reference.top()[q];
                if (agrees) same++;
                retrievals.add(new Retrieval(inputs.queries().get(q), inputs.sentences().get(reference.top()[q]), inputs.sentences().get(top[q]), agrees));
            }
            embeddings = new Embeddings(sum / sentences.length, min, same, top.length, retrievals);
            speed = encodeSpeed(bert, inputs.sentences(), inputs.repeats());
        }
        return new Variant(type, weightBytes, quantized, speed, Double.NaN, List.of(), embeddings);
    }

    /**
     * The mean cross-entropy of {@code model} on {@code batches}, in nats per scored token: each row of a batch read
     * on its own, every position with a target (>= 0) scored.
     */
    public static double heldOutLoss(Decoder model, List<Batch> batches) {
        int vocab = model.architecture().vocab();
        double sum = 0;
        long count = 0;
        for (Batch batch : batches) {
            int s = batch.seqLen();
            for (int b = 0; b < batch.batch(); b++) {
                float[] logits = model.logits(Arrays.copyOfRange(batch.tokens(), b * s, (b + 1) * s));   // (s, vocab)
                for (int i = 0; i < s; i++) {
                    int target = batch.targets()[b * s + i];
                    if (target < 0) continue;
                    sum += crossEntropy(logits, i * vocab, vocab, target);
                    count++;
                }
            }
        }
        if (count == 0) throw new IllegalArgumentException("held-out batches with at least one target expected, found none");
        return sum / count;
    }

    /** -log softmax(logits[at, at + n))[target], computed in double from the largest logit. */
    static double crossEntropy(float[] logits, int at, int n, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, logits[at + j]);
        double sum = 0;
        for (int j = 0; j < n; j++) sum += Math.exp(logits[at + j] - max);
        return Math.log(sum) + max - logits[at + target];
    }

    /**
     * Greedy decoding of {@code tokens} new tokens after {@code prompt}, timed {@code repeats} times after one untimed
     * run (which lets the JIT compile the kernels): the median tokens per second and the spread.
     */
    public static Speed decodeSpeed(Decoder model, int[] prompt, int tokens, int repeats) {
        model.greedy(prompt, tokens);
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            int made = model.greedy(prompt, tokens).length;
            rates[r] = made / ((System.nanoTime() - start) / 1e9);
        }
        return speed("tokens/s", rates);
    }

    private static Speed encodeSpeed(Bert model, List<String> sentences, int repeats) {
        embedAll(model, sentences);                     // untimed, as for decoding
        double[] rates = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            embedAll(model, sentences);
            rates[r] = sentences.size() / ((System.nanoTime() - start) / 1e9);
        }
        return speed("sentences/s", rates);
    }

    private static Speed speed(String unit, double[] rates) {
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Speed(unit, median, sorted[0], sorted[n - 1], n);
    }

    private static float[][] embedAll(Bert model, List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) out[i] = model.embed(texts.get(i));
        return out;
    }

    /** For each query, the index of the sentence with the highest cosine (embeddings have length 1). */
    private static int[] topSentences(float[][] queries, float[][] sentences) {
        int[] top = new int[queries.length];
        for (int q = 0; q < queries.length; q++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < sentences.length; i++) {
                double c = dot(queries[q], sentences[i]);
                if (c > best) {
                    best = c;
                    top[q] = i;
                }
            }
        }
        return top;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += (double) a[i] * b[i];
        return sum;
    }

    private static String text(Decoder model, int[] tokens) {
        try {
            return model.tokenizer().decode(tokens);
        } catch (IllegalStateException noTokenizer) {
            return Arrays.toString(tokens);
        }
    }
}
