package dev.glassbox.explorer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing of each reader with Jazzer: the same seeds ({@link FuzzTarget#seeds}) and the same
 * contract ({@link ReaderContract}) as {@link ReaderFuzzTest}, but the inputs come from libFuzzer, which keeps
 * those that reach new branches of the (instrumented) reader and mutates them further, and compares bytes
 * with the constants the reader checks. {@link ReaderFuzzTest} stays: it needs no agent, is reproducible from
 * its seed and runs in every build for a fixed time.
 *
 * <p>In a normal test run each target only replays its seeds and any inputs saved under
 * {@code src/test/resources/dev/glassbox/explorer/fuzz/ReaderCoverageFuzzTestInputs/<target>/} (regression mode).
 * Fuzzing, one target per JVM: {@code ./mvnw -q -B -pl explorer -Pjazzer test} (each target for
 * {@code glassbox.jazzer.duration}, 60s by default); an input that breaks the contract is saved in that
 * folder and becomes a regression test. libFuzzer's own corpus goes to {@code explorer/.cifuzz-corpus/}.
 */
class ReaderCoverageFuzzTest {
    /** The length of a fuzzing run when no {@code jazzer.max_duration} is given. */
    private static final String DURATION = "60s";
    /** Inputs and the files seeds refer to live here, on a RAM disk when there is one. */
    private static final Path DIR = scratchFolder();
    private static final ReaderContract CONTRACT = new ReaderContract();

    @MethodSource("safetensorsSeeds")
    @FuzzTest(maxDuration = DURATION)
    void safetensors(byte[] input) throws Exception {
        check(FuzzTarget.SAFETENSORS, input);
    }

    @MethodSource("safetensorsIndexSeeds")
    @FuzzTest(maxDuration = DURATION)
    void safetensorsIndex(byte[] input) throws Exception {
        check(FuzzTarget.SAFETENSORS_INDEX, input);
    }

    @MethodSource("ggufSeeds")
    @FuzzTest(maxDuration = DURATION)
    void gguf(byte[] input) throws Exception {
        check(FuzzTarget.GGUF, input);
    }

    @MethodSource("onnxSeeds")
    @FuzzTest(maxDuration = DURATION)
    void onnx(byte[] input) throws Exception {
        check(FuzzTarget.ONNX, input);
    }

    @MethodSource("configJsonSeeds")
    @FuzzTest(maxDuration = DURATION)
    void configJson(byte[] input) throws Exception {
        check(FuzzTarget.CONFIG_JSON, input);
    }

    @MethodSource("tokenizerJsonSeeds")
    @FuzzTest(maxDuration = DURATION)
    void tokenizerJson(byte[] input) throws Exception {
        check(FuzzTarget.TOKENIZER_JSON, input);
    }

    static Stream<Arguments> safetensorsSeeds() { return seeds(FuzzTarget.SAFETENSORS); }
    static Stream<Arguments> safetensorsIndexSeeds() { return seeds(FuzzTarget.SAFETENSORS_INDEX); }
    static Stream<Arguments> ggufSeeds() { return seeds(FuzzTarget.GGUF); }
    static Stream<Arguments> onnxSeeds() { return seeds(FuzzTarget.ONNX); }
    static Stream<Arguments> configJsonSeeds() { return seeds(FuzzTarget.CONFIG_JSON); }
    static Stream<Arguments> tokenizerJsonSeeds() { return seeds(FuzzTarget.TOKENIZER_JSON); }

    /** An input that breaks the contract fails the test, which Jazzer reports as a finding and saves. */
    private static void check(FuzzTarget target, byte[] bytes) throws IOException, InterruptedException {
        Path input = target.input(DIR);
        Files.write(input, bytes);
        ReaderContract.Outcome outcome = CONTRACT.check(target, input, bytes.length);
        if (outcome.violation() != null) throw new AssertionError(target.label + ": " + outcome.violation());
    }

    /** The seeds, each read once first: they must read cleanly, and the reader's classes are loaded and
     *  initialised before the contract counts what the reading thread allocates. */
    private static Stream<Arguments> seeds(FuzzTarget target) {
        try {
            List<byte[]> seeds = target.seeds(DIR);
            for (byte[] seed : seeds) {
                Files.write(target.input(DIR), seed);
                target.read(target.input(DIR));
            }
            return seeds.stream().map(bytes -> Arguments.of((Object) bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path scratchFolder() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "glassbox-jazzer") : Files.createTempDirectory("glassbox-jazzer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void deleteScratchFolder() throws IOException {
        CONTRACT.close();
        try (var files = Files.walk(DIR)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
