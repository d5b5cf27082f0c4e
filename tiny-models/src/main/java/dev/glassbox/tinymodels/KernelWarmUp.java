package dev.glassbox.tinymodels;

import dev.glassbox.explorer.formats.ModelFile;
import dev.glassbox.explorer.formats.detect.ModelFiles;
import dev.glassbox.explorer.kernels.WarmUp;
import dev.glassbox.explorer.tokenizers.Tokenizer;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * What a notebook kernel runs while it waits in the pool for a learner: the cold code of a lesson's first
 * model cell, so that the JIT has compiled it before anyone waits. It reads the shipped catalog, MiniLM's
 * ONNX graph and tokenizer (no weights are decoded: an idle kernel stays small), then runs the compute
 * kernels on made-up inputs ({@link WarmUp}). In a fresh JVM, opening MiniLM took about a second and its
 * first embedding 1.7-3.4 s; BENCHMARKS.md has the figures in a kernel after this warm-up.
 *
 * <p>It stops as soon as {@code keepGoing} turns false (the learner's first request) and reads only what
 * the server prepared ({@link ModelCatalog#SHIPPED_PROPERTY}); without that folder it warms the kernels only.
 */
public final class KernelWarmUp {
    private KernelWarmUp() {}

    /** Runs the warm-up until it is done or {@code keepGoing} is false; returns the rounds of the kernels' warm-up done. */
    public static int run(BooleanSupplier keepGoing) {
        String shipped = System.getProperty(ModelCatalog.SHIPPED_PROPERTY);
        if (shipped != null) {
            try {
                ModelEntry minilm = ModelCatalog.loadPrepared(java.nio.file.Path.of(shipped)).find(MiniLmL6.ID).orElse(null);
                if (minilm != null && keepGoing.getAsBoolean()) {
                    try (ModelFile file = ModelFiles.open(minilm.file())) {
                        file.parameterCount();
                    }
                    if (keepGoing.getAsBoolean()) Tokenizer.fromFile(minilm.file().resolveSibling("tokenizer.json")).encode("Warm up.");
                }
            } catch (IOException | RuntimeException e) {
                // the folder is not ready yet or a file is bad: a learner's own cell names the problem
            }
        }
        return keepGoing.getAsBoolean() ? WarmUp.run(keepGoing) : 0;
    }
}
