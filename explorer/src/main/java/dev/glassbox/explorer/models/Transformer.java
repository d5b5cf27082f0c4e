package dev.glassbox.explorer.models;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A transformer of one of the three families, loaded with its weights, ready to run. Every run is
 * independent (its buffers are its own), so one loaded model serves many callers at once.
 */
public sealed interface Transformer extends AutoCloseable permits Bert, Decoder {

    /** What the model computed for each token: logits (decoders) or the last hidden state (encoders). */
    record Output(float[] values, int rows, int cols) {
        public float get(int row, int col) { return values[row * cols + col]; }

        /** Row {@code row} as its own array. */
        public float[] row(int row) {
            float[] r = new float[cols];
            System.arraycopy(values, row * cols, r, 0, cols);
            return r;
        }
    }

    /** A run's output together with the activations it recorded. */
    record CachedRun(Output output, ActivationCache cache) {}

    Architecture architecture();

    /** Releases the mapped model file; the model cannot run after this. */
    @Override void close();

    /** The tokenizer shipped with the weights; an {@link IllegalStateException} if the files held none. */
    Tokenizer tokenizer();

    /** The whole sequence through the model, calling {@code hooks} at every hook point and computing with {@code ops}. */
    Output run(int[] tokens, Hooks hooks, Ops ops);

    default Output run(int[] tokens, Hooks hooks) { return run(tokens, hooks, Ops.BUILT_IN); }

    default Output run(int[] tokens) { return run(tokens, Hooks.none()); }

    /** A run that copies every activation whose name {@code filter} accepts. */
    default CachedRun runWithCache(int[] tokens, Predicate<String> filter) {
        return runWithCache(tokens, filter, Hooks.none());
    }

    default CachedRun runWithCache(int[] tokens) { return runWithCache(tokens, name -> true); }

    /** A run with {@code hooks}, recording what {@code filter} accepts after the hooks have had their say. */
    default CachedRun runWithCache(int[] tokens, Predicate<String> filter, Hooks hooks) {
        ActivationCache cache = new ActivationCache();
        Output output = run(tokens, cache.recorder(hooks, filter));
        return new CachedRun(output, cache);
    }

    /** The hook points of a forward pass, in the order it reaches them (read off a one-token run). */
    default java.util.List<String> hookNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        run(new int[] {0}, Hooks.none().with(name -> {
            names.add(name);
            return false;                            // only listen: no hook runs, nothing is copied
        }, activation -> { }));
        return java.util.List.copyOf(names);
    }

    /**
     * How many numbers one hook point holds in a run of {@code s} tokens: {@code perToken * s + perPair * s * s}
     * (a row per token, like the residual stream, or a row per pair of tokens, like an attention pattern).
     */
    record HookSize(long perToken, long perPair) {
        public long values(int tokens) {
            return perToken * tokens + perPair * tokens * (long) tokens;
        }
    }

    /**
     * The size of every hook point as a function of the number of tokens, read off the shapes of a one-token
     * and a two-token run (listening only: nothing is copied), so a caller can refuse a run that would record
     * too much before making it. Every activation is s x (a row) or s x s x (heads): with n1 and n2 numbers at
     * one and two tokens, perPair = (n2 - 2 n1) / 2 and perToken = n1 - perPair.
     */
    default java.util.Map<String, HookSize> hookSizes() {
        java.util.Map<String, Long> one = new java.util.LinkedHashMap<>(), two = new java.util.HashMap<>();
        run(new int[] {0}, Hooks.none().with(name -> true, a -> one.put(a.name(), (long) a.size())));
        run(new int[] {0, 0}, Hooks.none().with(name -> true, a -> two.put(a.name(), (long) a.size())));
        java.util.Map<String, HookSize> sizes = new java.util.LinkedHashMap<>();
        one.forEach((name, n1) -> {
            long perPair = (two.get(name) - 2 * n1) / 2;
            sizes.put(name, new HookSize(n1 - perPair, perPair));
        });
        return java.util.Collections.unmodifiableMap(sizes);
    }

    /** {@code text} as the token ids this model reads, with its special tokens. */
    default int[] encode(String text) { return tokenizer().encode(text).ids(); }

    /**
     * The model in {@code path}: an ONNX file (BERT), a GGUF file (Llama), or a folder with config.json and
     * model.safetensors (Llama or GPT-2, by {@code model_type}). A tokenizer.json beside it is used when present.
     */
    static Transformer load(Path path) throws IOException {
        return load(path, UnaryOperator.identity());
    }

    /**
     * Like {@link #load(Path)}, with the weights file passed through {@code weights} before the family's loader
     * reads it, e.g. {@code file -> QuantizedWeights.of(file, DType.Q8_0)}. The file {@code weights} returns must
     * not read from the one it was given, which is closed once the transform is done (unless it returns it).
     */
    static Transformer load(Path path, UnaryOperator<ModelFile> weights) throws IOException {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) return Bert.load(path, weights);
        if (name.endsWith(".gguf")) return Llama.load(path, weights);
        Path dir = Files.isDirectory(path) ? path : path.getParent();
        Path config = dir.resolve("config.json");
        if (!Files.exists(config)) throw new IOException(path + ": an .onnx or .gguf file, or a folder with config.json, expected");
        String type = HfConfig.read(config).modelType();
        return switch (type == null ? "" : type) {
            case "llama", "mistral", "qwen2" -> Llama.load(dir, weights);
            case "gpt2" -> Gpt2.load(dir, weights);
            case "bert" -> throw new IOException(config + ": BERT is read from its ONNX export; point at the .onnx file");
            default -> throw new IOException(config + ": model_type llama or gpt2 expected, found " + type);
        };
    }

    /** {@code path} opened and passed through {@code weights}; the opened file is closed if {@code weights} made another. */
    static ModelFile open(Path path, UnaryOperator<ModelFile> weights) throws IOException {
        ModelFile opened = ModelFiles.open(path);
        ModelFile result = null;
        try {
            result = weights.apply(opened);
            if (result == null) throw new IllegalStateException("the weights transform returned no file for " + path.getFileName());
            return result;
        } finally {
            if (result != opened) opened.close();
        }
    }

    /** The tokenizer.json next to {@code file} (or inside it, for a folder), or null. */
    static Tokenizer siblingTokenizer(Path file) throws IOException {
        Path dir = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
        Path json = dir.resolve("tokenizer.json");
        return Files.exists(json) ? Tokenizer.fromFile(json) : null;
    }

    /** The GGUF's own tokenizer, or null if its metadata has none. */
    static Tokenizer ggufTokenizer(ModelFile gguf) {
        return gguf.metadata().containsKey("tokenizer.ggml.model") ? Tokenizer.fromGguf(gguf) : null;
    }
}
