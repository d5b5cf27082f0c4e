package dev.glassbox.explorer.fuzz;

import dev.glassbox.explorer.Samples;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.ModelFormatException;
import dev.glassbox.explorer.formats.gguf.GgufReader;
import dev.glassbox.explorer.formats.gguf.GgufValue;
import dev.glassbox.explorer.formats.gguf.GgufWriter;
import dev.glassbox.explorer.formats.hf.HfConfig;
import dev.glassbox.explorer.formats.hf.TokenizerJson;
import dev.glassbox.explorer.formats.onnx.OnnxReader;
import dev.glassbox.explorer.formats.onnx.TinyOnnxSeed;
import dev.glassbox.explorer.formats.safetensors.SafetensorsReader;
import dev.glassbox.explorer.formats.safetensors.SafetensorsWriter;
import dev.glassbox.explorer.tensor.DType;
import dev.glassbox.explorer.tensor.Shape;
import dev.glassbox.explorer.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Feeds each reader mutated copies of valid files its writer (or a test builder) produced, and checks
 * that the only failure is {@link ModelFormatException}: no other exception or error, no input that
 * takes longer than {@link #TIME_LIMIT_MS}, and no input that makes the reading thread allocate more
 * than {@link #ALLOCATION_LIMIT} plus 64 bytes per input byte (sizes from the file must be checked
 * before anything is allocated for them). Accepted inputs are read through: every tensor decoded (or
 * its ends, when large), its statistics and blocks.
 *
 * <p>By default each reader gets {@code glassbox.fuzz.seconds} (0.5) seconds; the long run is
 * {@code ./mvnw -q -B -pl explorer -Pfuzz test} (5 minutes per reader, 256 MB heap). Inputs that fail
 * are written to {@code target/fuzz-findings/}; a summary line per reader goes to
 * {@code target/fuzz-report.txt}.
 */
class ReaderFuzzTest {
    static final long TIME_LIMIT_MS = 5_000;
    static final long ALLOCATION_LIMIT = 16L << 20;
    static final double SECONDS = Double.parseDouble(System.getProperty("glassbox.fuzz.seconds", "0.5"));
    static final long SEED = Long.parseLong(System.getProperty("glassbox.fuzz.seed", "1"));

    @TempDir Path tempDir;
    /** Where inputs are written: a RAM disk when there is one (writing a file there takes microseconds, not a quarter millisecond). */
    Path dir;

    @BeforeEach
    void chooseScratchFolder() throws IOException {
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "glassbox-fuzz") : tempDir;
    }

    @AfterEach
    void deleteScratchFolder() throws IOException {
        if (dir.equals(tempDir)) return;
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Opens a file the way one reader does and touches everything it returns. */
    interface Reader {
        void read(Path file) throws IOException;
    }

    @Test
    void safetensors() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Path file = dir.resolve("seed.safetensors");
        SafetensorsWriter.write(file, Map.of("format", "pt"), Samples.safetensorsTensors());
        seeds.add(Files.readAllBytes(file));
        SafetensorsWriter.write(file, Map.of(), List.of(Samples.random("w", DType.F32, Shape.of(4, 4), 9)));
        seeds.add(Files.readAllBytes(file));
        fuzz("safetensors", seeds, dir.resolve("input.safetensors"), path -> exercise(SafetensorsReader.read(path)));
    }

    @Test
    void safetensorsIndex() throws Exception {
        List<Tensor> all = Samples.safetensorsTensors();
        SafetensorsWriter.write(dir.resolve("a.safetensors"), Map.of(), all.subList(0, 3));
        SafetensorsWriter.write(dir.resolve("b.safetensors"), Map.of(), all.subList(3, all.size()));
        StringBuilder map = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            map.append(i == 0 ? "" : ",").append('"').append(all.get(i).name()).append("\":\"").append(i < 3 ? "a" : "b").append(".safetensors\"");
        }
        byte[] index = ("{\"metadata\":{\"total_size\":100},\"weight_map\":{" + map + "}}").getBytes(StandardCharsets.UTF_8);
        fuzz("safetensors index", List.of(index), dir.resolve("model.safetensors.index.json"),
                path -> exercise(SafetensorsReader.readSharded(path)));
    }

    @Test
    void gguf() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Path file = dir.resolve("seed.gguf");
        GgufWriter.write(file, Samples.ggufMetadata(32), Samples.ggufTensors());
        seeds.add(Files.readAllBytes(file));
        Map<String, GgufValue> small = new LinkedHashMap<>();
        small.put("general.alignment", GgufValue.uint32(64));
        small.put("tokenizer.ggml.tokens", GgufValue.strings(List.of("a", "b")));
        GgufWriter.write(file, small, List.of(Samples.random("q", DType.Q4_K, Shape.of(256), 3),
                Samples.random("r", DType.Q6_K, Shape.of(256), 4)));
        seeds.add(Files.readAllBytes(file));
        fuzz("gguf", seeds, dir.resolve("input.gguf"), path -> exercise(GgufReader.read(path)));
    }

    @Test
    void onnx() throws Exception {
        Path seed = TinyOnnxSeed.write(dir);                            // also writes the external data file into dir
        fuzz("onnx", List.of(Files.readAllBytes(seed)), dir.resolve("input.onnx"), path -> exercise(OnnxReader.read(path)));
    }

    @Test
    void configJson() throws Exception {
        byte[] config = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 172, "vocab_size": 512,
                 "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "float32"}"""
                .getBytes(StandardCharsets.UTF_8);
        fuzz("config.json", List.of(config), dir.resolve("config.json"), path -> HfConfig.read(path).toString());
    }

    @Test
    void tokenizerJson() throws Exception {
        List<byte[]> seeds = List.of("""
                {"version": "1.0", "added_tokens": [{"id": 3, "content": "<|endoftext|>", "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"h": 0, "e": 1, "he": 2}, "merges": ["h e", ["he", "llo"]]}}"""
                .getBytes(StandardCharsets.UTF_8), """
                {"added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "lstrip": false}],
                 "normalizer": {"type": "BertNormalizer", "lowercase": true},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[PAD]": 0, "[UNK]": 1, "a": 2, "##b": 3}}}"""
                .getBytes(StandardCharsets.UTF_8), """
                {"model": {"type": "Unigram", "vocab": [["<unk>", 0.0], ["\u2581a", -3.5]]}}"""
                .getBytes(StandardCharsets.UTF_8));
        fuzz("tokenizer.json", seeds, dir.resolve("tokenizer.json"), path -> {
            TokenizerJson t = TokenizerJson.read(path);
            t.id("a");
            t.toString();
        });
    }

    /** Reads everything an opened file offers, as a learner browsing it would. */
    static void exercise(ModelFile file) {
        try (file) {
            file.metadata().toString();
            file.graph().ifPresent(Object::toString);
            float[] buffer = new float[1024];
            for (Tensor t : file.tensors()) {
                t.toString();
                if (t.dtype().decodable() && t.elementCount() > 0) {
                    if (t.elementCount() <= 1 << 16) {
                        t.toFloatArray();
                        t.stats(8);
                    } else {
                        int n = (int) Math.min(buffer.length, t.elementCount());
                        t.readFloats(0, buffer, 0, n);
                        t.readFloats(t.elementCount() - n, buffer, 0, n);
                    }
                }
                if (t.dtype().isQuantized() && t.dtype().decodable() && t.blockCount() > 0) {
                    t.blocks(0, 1);
                    t.blocks(t.blockCount() - 1, 1);
                }
            }
        }
    }

    private record Finding(String what, Path input) {}

    private void fuzz(String name, List<byte[]> seeds, Path input, Reader reader) throws Exception {
        ExecutorService worker = newWorker();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Finding> findings = new ArrayList<>();
        for (byte[] seed : seeds) {                                     // seeds are valid: they must read cleanly
            Files.write(input, seed);
            reader.read(input);
        }
        Mutator mutator = new Mutator(SEED ^ name.hashCode(), seeds);
        long executions = 0, accepted = 0, rejected = 0, slowest = 0, mostAllocated = 0;
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        while (System.nanoTime() < deadline && findings.size() < 10) {
            byte[] bytes = mutator.next();
            Files.write(input, bytes);
            long start = System.nanoTime();
            Future<long[]> run = worker.submit(() -> {
                long before = threads.getCurrentThreadAllocatedBytes();
                try {
                    reader.read(input);
                    return new long[] {1, threads.getCurrentThreadAllocatedBytes() - before};
                } catch (ModelFormatException expected) {
                    return new long[] {0, threads.getCurrentThreadAllocatedBytes() - before};
                }
            });
            executions++;
            try {
                long[] result = run.get(TIME_LIMIT_MS, TimeUnit.MILLISECONDS);
                if (result[0] == 1) accepted++;
                else rejected++;
                mostAllocated = Math.max(mostAllocated, result[1]);
                if (result[1] > ALLOCATION_LIMIT + 64L * bytes.length) {
                    findings.add(save(name, executions, bytes, "allocated " + result[1] + " bytes for a " + bytes.length + "-byte input"));
                }
            } catch (TimeoutException e) {
                findings.add(save(name, executions, bytes, "no result after " + TIME_LIMIT_MS + " ms"));
                worker.shutdownNow();
                worker = newWorker();
            } catch (ExecutionException e) {
                StringWriter trace = new StringWriter();
                e.getCause().printStackTrace(new PrintWriter(trace));
                findings.add(save(name, executions, bytes, trace.toString()));
            }
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
        }
        worker.shutdownNow();
        String summary = String.format("%-18s seed %d, %.1f s: %,d executions (%,d accepted, %,d rejected with ModelFormatException),"
                        + " %d findings, slowest %d ms, most allocated %,d bytes",
                name, SEED, SECONDS, executions, accepted, rejected, findings.size(), slowest, mostAllocated);
        if (SECONDS > 5) System.out.println(summary);                  // the long run reports as it goes; short runs only to the file
        Path report = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, summary + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertEquals(List.of(), findings, name + ": inputs that broke the reader");
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-worker");
            thread.setDaemon(true);
            return thread;
        });
    }

    private static Finding save(String name, long execution, byte[] bytes, String what) throws IOException {
        Path folder = Files.createDirectories(Path.of("target", "fuzz-findings"));
        Path file = folder.resolve(name.replaceAll("[^a-z0-9]+", "-") + "-" + SEED + "-" + execution + ".bin");
        Files.write(file, bytes);
        Files.writeString(folder.resolve(file.getFileName() + ".txt"), what);
        return new Finding(what.lines().findFirst().orElse(what), file);
    }
}
