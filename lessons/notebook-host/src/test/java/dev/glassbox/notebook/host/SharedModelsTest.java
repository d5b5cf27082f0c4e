package dev.glassbox.notebook.host;

import dev.glassbox.notebook.host.ExecuteReply.Status;
import dev.glassbox.tinymodels.ModelCatalog;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel reads the shipped models from the folder the server prepares, while the server may still
 * be preparing it: until then a cell gets an error that says so, and afterwards the same kernel finds
 * the files without a restart.
 */
class SharedModelsTest {
    @TempDir
    Path dir;

    static Stream<Sandbox> sandboxes() {
        return Stream.of(Sandbox.detect(), Sandbox.none("the same without a sandbox"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sandboxes")
    void aKernelWaitsForTheServersModelsAndThenReadsThem(Sandbox sandbox) throws Exception {
        Path models = dir.resolve("models");                     // not there yet: the kernel starts first
        KernelSettings settings = KernelSettings.defaults(dir.resolve("scratch")).withPoolSize(0).withSharedModels(models);
        try (KernelPool pool = new KernelPool(settings, sandbox); Kernel kernel = pool.open()) {
            ExecuteReply early = kernel.execute("dev.glassbox.tinymodels.ModelCatalog.load()", "early", o -> {});
            assertEquals(Status.ERROR, early.status(), text(early));
            String message = early.error().orElseThrow().message();
            assertTrue(message.contains("is not ready") && message.contains("run the cell again"), message);

            ModelCatalog.load(models, null);                     // what the server's model shelf does at start-up
            ExecuteReply ready = kernel.execute("""
                    var m = dev.glassbox.tinymodels.ModelCatalog.open("all-minilm-l6-v2");
                    m.architecture().layers() + " layers, " + m.encode("open models").length + " tokens"
                    """, "ready", o -> {});
            assertEquals(Status.OK, ready.status(), text(ready));
            assertTrue(text(ready).contains("6 layers, 4 tokens"), text(ready));
        }
        try (var files = Files.list(models.resolve("minilm"))) {
            assertEquals("EXTRACTED all-minilm-l6-v2.onnx config.json tokenizer.json",
                    files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(" ")),
                    "the kernel left the folder as the server wrote it");
        }
    }

    private static String text(ExecuteReply reply) {
        return reply.outputs().stream().map(Object::toString).collect(Collectors.joining("\n"));
    }
}
