package dev.glassbox.explorer.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.glassbox.explorer.MiniLm;
import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.tensor.Tensor;
import dev.glassbox.explorer.tensor.TensorStats;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The acceptance figures for opening model files:
 * <ol>
 * <li>opening a generated ~2 GB safetensors file (TinyLlama-1.1B's 201 tensors in BF16) and listing its
 *     tensors, against a ~200 MB file with the same 201 tensors made smaller: time, and the heap and
 *     resident memory the open file holds (the claim: neither grows with the file size);</li>
 * <li>statistics (min, max, mean, std, sparsity, 64-bin histogram) of the MiniLM word embedding matrix
 *     (30522 x 384, F32) with the Vector API kernels and with their scalar twins, warm.</li>
 * </ol>
 * The files are written sparsely (header, then a hole) in a temporary folder and deleted afterwards.
 * Run: {@code ./mvnw -q -B -pl explorer -Pbench verify} (see BENCHMARKS.md).
 */
public final class ModelFileBenchmark {
    private static final int OPEN_RUNS = 51, STATS_RUNS = 31;

    /** Llama-style dimensions: hidden size, MLP size, key/value width, vocabulary, layers. */
    record Dims(long d, long f, long kv, long vocab, int layers) {}

    static final Dims TINYLLAMA = new Dims(2048, 5632, 256, 32000, 22);     // 1.1B parameters, 2.2 GB in BF16
    static final Dims SMALL = new Dims(512, 1408, 128, 32000, 22);         // 95M parameters, 190 MB in BF16

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("glassbox-bench");
        long free = Files.getFileStore(dir).getUsableSpace();
        System.out.printf("temporary folder has %.1f GB free (the files are sparse: a few KB on disk each)%n", free / 1e9);
        try {
            Path small = generate(dir.resolve("small.safetensors"), SMALL);
            Path large = generate(dir.resolve("large.safetensors"), TINYLLAMA);
            System.out.printf("files: %s %.0f MB, %s %.0f MB%n", small.getFileName(), Files.size(small) / 1e6,
                    large.getFileName(), Files.size(large) / 1e6);

            System.out.println("\n1. open + list every tensor (name, dtype, shape, bytes), then close");
            for (Path file : List.of(large, small)) firstOpen(file);            // the 2 GB file first: its open pays for class loading
            for (Path file : List.of(small, large, small, large)) timeOpen(file);
            System.out.println("\n   memory held while the file is open (after GC), measured twice in alternation:");
            for (Path file : List.of(small, large, small, large)) memory(file);

            System.out.println("\n2. statistics of embeddings.word_embeddings.weight (MiniLM, 30522 x 384 F32), 64 bins");
            stats();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Writes the header of a Llama-style safetensors file and extends the file to its full size without writing the data. */
    static Path generate(Path file, Dims dims) throws IOException {
        List<Object[]> tensors = new ArrayList<>();                      // {name, shape}
        tensors.add(new Object[] {"model.embed_tokens.weight", new long[] {dims.vocab, dims.d}});
        for (int i = 0; i < dims.layers; i++) {
            String p = "model.layers." + i + ".";
            tensors.add(new Object[] {p + "input_layernorm.weight", new long[] {dims.d}});
            tensors.add(new Object[] {p + "self_attn.q_proj.weight", new long[] {dims.d, dims.d}});
            tensors.add(new Object[] {p + "self_attn.k_proj.weight", new long[] {dims.kv, dims.d}});
            tensors.add(new Object[] {p + "self_attn.v_proj.weight", new long[] {dims.kv, dims.d}});
            tensors.add(new Object[] {p + "self_attn.o_proj.weight", new long[] {dims.d, dims.d}});
            tensors.add(new Object[] {p + "post_attention_layernorm.weight", new long[] {dims.d}});
            tensors.add(new Object[] {p + "mlp.gate_proj.weight", new long[] {dims.f, dims.d}});
            tensors.add(new Object[] {p + "mlp.up_proj.weight", new long[] {dims.f, dims.d}});
            tensors.add(new Object[] {p + "mlp.down_proj.weight", new long[] {dims.d, dims.f}});
        }
        tensors.add(new Object[] {"model.norm.weight", new long[] {dims.d}});
        tensors.add(new Object[] {"lm_head.weight", new long[] {dims.vocab, dims.d}});

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        long offset = 0;
        try (JsonGenerator g = new JsonFactory().createGenerator(json)) {
            g.writeStartObject();
            g.writeObjectFieldStart("__metadata__");
            g.writeStringField("format", "pt");
            g.writeEndObject();
            for (Object[] t : tensors) {
                long[] shape = (long[]) t[1];
                long bytes = 2 * Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                g.writeObjectFieldStart((String) t[0]);
                g.writeStringField("dtype", "BF16");
                g.writeArrayFieldStart("shape");
                for (long s : shape) g.writeNumber(s);
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + bytes);
                g.writeEndArray();
                g.writeEndObject();
                offset += bytes;
            }
            g.writeEndObject();
        }
        while ((8 + json.size()) % 8 != 0) json.write(' ');
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.size()).array());
            out.write(json.toByteArray());
            out.setLength(8 + json.size() + offset);                     // a hole: the data reads as zeros
        }
        return file;
    }

    /** Opens, lists and closes: what the tensor browser does for a file it has not seen. */
    static long openAndList(Path file) throws IOException {
        long bytes = 0;
        try (ModelFile model = ModelFiles.open(file)) {
            for (Tensor t : model.tensors()) {
                bytes += t.byteSize() + t.name().length() + t.dtype().ordinal() + t.shape().rank();
            }
        }
        return bytes;
    }

    static void firstOpen(Path file) throws IOException {
        long start = System.nanoTime();
        openAndList(file);
        System.out.printf("   %-18s first open in this JVM: %.1f ms%n", file.getFileName(), (System.nanoTime() - start) / 1e6);
    }

    static void timeOpen(Path file) throws IOException {
        for (int i = 0; i < 10; i++) openAndList(file);
        double[] ms = new double[OPEN_RUNS];
        for (int i = 0; i < OPEN_RUNS; i++) {
            long start = System.nanoTime();
            openAndList(file);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        System.out.printf("   %-18s %6.0f MB: %s%n", file.getFileName(), Files.size(file) / 1e6, summary(ms));
    }

    static void memory(Path file) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        settle();
        long heapBefore = memory.getHeapMemoryUsage().getUsed(), rssBefore = rss();
        try (ModelFile model = ModelFiles.open(file)) {
            long listed = 0;
            for (Tensor t : model.tensors()) listed += t.byteSize();
            settle();
            long heap = memory.getHeapMemoryUsage().getUsed() - heapBefore, rss = rss() - rssBefore;
            System.out.printf("   %-18s %6.0f MB of tensors: heap +%,d KB, resident +%,d KB, %d tensors%n", file.getFileName(),
                    listed / 1e6, heap / 1024, rss / 1024, model.tensors().size());
        }
    }

    static void stats() throws IOException {
        try (ModelFile model = ModelFiles.open(MiniLm.onnx())) {
            Tensor embeddings = model.tensor("embeddings.word_embeddings.weight");
            for (int i = 0; i < 15; i++) {                              // warm: pages in memory, kernels compiled
                TensorStats.of(embeddings, 64);
                TensorStats.scalar(embeddings, 64);
            }
            double[] vector = new double[STATS_RUNS], scalar = new double[STATS_RUNS];
            TensorStats last = null;
            for (int i = 0; i < STATS_RUNS; i++) {                       // alternate, so both see the same machine load
                long start = System.nanoTime();
                last = TensorStats.of(embeddings, 64);
                vector[i] = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                TensorStats.scalar(embeddings, 64);
                scalar[i] = (System.nanoTime() - start) / 1e6;
            }
            System.out.printf("   result: min %.4f, max %.4f, mean %.6f, std %.6f, sparsity %.6f%n",
                    last.min(), last.max(), last.mean(), last.std(), last.sparsity());
            System.out.println("   Vector API kernels: " + summary(vector));
            System.out.println("   scalar twins:       " + summary(scalar));
            System.out.printf("   scalar / vector (medians): %.2fx%n", median(scalar) / median(vector));
        }
    }

    static String summary(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return String.format("median %.2f ms, min %.2f, p90 %.2f, max %.2f (n=%d)", median(ms), sorted[0],
                sorted[(int) Math.ceil(0.9 * sorted.length) - 1], sorted[sorted.length - 1], sorted.length);
    }

    static double median(double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    /** Resident set size of this process, from /proc (Linux); 0 elsewhere. */
    private static long rss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return 0;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }
}
