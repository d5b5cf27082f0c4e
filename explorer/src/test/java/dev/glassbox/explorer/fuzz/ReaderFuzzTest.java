package dev.glassbox.explorer.fuzz;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Feeds each reader ({@link FuzzTarget}) seeded random mutations ({@link Mutator}) of its valid seed files and
 * checks each input against the {@link ReaderContract}: only {@code ModelFormatException}, at most
 * {@link ReaderContract#TIME_LIMIT_MS}, at most {@link ReaderContract#ALLOCATION_LIMIT} plus 64 bytes per input byte.
 * Unlike {@link ReaderCoverageFuzzTest} it needs no agent and is reproducible from its seed, so it runs in every
 * test build.
 *
 * <p>By default each reader gets {@code glassbox.fuzz.seconds} (0.5) seconds; the long run is
 * {@code ./mvnw -q -B -pl explorer -Pfuzz test} (5 minutes per reader, 256 MB heap). Inputs that fail
 * are written to {@code target/fuzz-findings/}; a summary line per reader goes to
 * {@code target/fuzz-report.txt}.
 */
class ReaderFuzzTest {
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

    @Test
    void safetensors() throws Exception {
        fuzz(FuzzTarget.SAFETENSORS);
    }

    @Test
    void safetensorsIndex() throws Exception {
        fuzz(FuzzTarget.SAFETENSORS_INDEX);
    }

    @Test
    void gguf() throws Exception {
        fuzz(FuzzTarget.GGUF);
    }

    @Test
    void onnx() throws Exception {
        fuzz(FuzzTarget.ONNX);
    }

    @Test
    void configJson() throws Exception {
        fuzz(FuzzTarget.CONFIG_JSON);
    }

    @Test
    void tokenizerJson() throws Exception {
        fuzz(FuzzTarget.TOKENIZER_JSON);
    }

    private record Finding(String what, Path input) {}

    private void fuzz(FuzzTarget target) throws Exception {
        String name = target.label;
        List<byte[]> seeds = target.seeds(dir);
        Path input = target.input(dir);
        List<Finding> findings = new ArrayList<>();
        for (byte[] seed : seeds) {                                     // seeds are valid: they must read cleanly
            Files.write(input, seed);
            target.read(input);
        }
        Mutator mutator = new Mutator(SEED ^ name.hashCode(), seeds);
        long executions = 0, accepted = 0, rejected = 0, slowest = 0, mostAllocated = 0;
        long deadline = System.nanoTime() + (long) (SECONDS * 1e9);
        try (ReaderContract contract = new ReaderContract()) {
            while (System.nanoTime() < deadline && findings.size() < 10) {
                byte[] bytes = mutator.next();
                Files.write(input, bytes);
                ReaderContract.Outcome outcome = contract.check(target, input, bytes.length);
                executions++;
                if (outcome.accepted()) accepted++;
                else if (outcome.violation() == null) rejected++;
                if (outcome.violation() != null) findings.add(save(name, executions, bytes, outcome.violation()));
                mostAllocated = Math.max(mostAllocated, outcome.allocatedBytes());
                slowest = Math.max(slowest, outcome.millis());
            }
        }
        String summary = String.format("%-18s seed %d, %.1f s: %,d executions (%,d accepted, %,d rejected with ModelFormatException),"
                        + " %d findings, slowest %d ms, most allocated %,d bytes",
                name, SEED, SECONDS, executions, accepted, rejected, findings.size(), slowest, mostAllocated);
        if (SECONDS > 5) System.out.println(summary);                  // the long run reports as it goes; short runs only to the file
        Path report = Path.of("target", "fuzz-report.txt");
        Files.createDirectories(report.getParent());
        Files.writeString(report, summary + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertEquals(List.of(), findings, name + ": inputs that broke the reader");
    }

    private static Finding save(String name, long execution, byte[] bytes, String what) throws IOException {
        Path folder = Files.createDirectories(Path.of("target", "fuzz-findings"));
        Path file = folder.resolve(name.replaceAll("[^a-z0-9]+", "-") + "-" + SEED + "-" + execution + ".bin");
        Files.write(file, bytes);
        Files.writeString(folder.resolve(file.getFileName() + ".txt"), what);
        return new Finding(what.lines().findFirst().orElse(what), file);
    }
}
