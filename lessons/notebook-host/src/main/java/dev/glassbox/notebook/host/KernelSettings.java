package dev.glassbox.notebook.host;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How kernels are started and limited.
 *
 * @param timeLimit     wall-clock time a cell may run before Glassbox stops it
 * @param grace         time a stopped cell gets to finish before its kernel is killed and restarted
 * @param maxCellChars  longest cell accepted; longer ones are rejected before compiling
 * @param outputCap     bytes of output one cell may send (the kernel truncates past it)
 * @param maxHeap       the kernel JVM's -Xmx, e.g. "768m"
 * @param poolSize      kernels kept started and warm, so a new learner does not wait for a JVM
 * @param libraries     what a kernel JVM loads: the notebook runtime's module and what cells can use (explorer,
 *                      tiny-models, their libraries)
 * @param scratchRoot   parent folder of each kernel's private working directory
 * @param sharedModels  the folder of shipped models the server prepares ({@code <data>/models}), which every
 *                      kernel reads (read-only at {@link Sandbox#MODELS} in the sandbox); null: none
 * @param memoryBudget  bytes of memory all kernels together may use ({@link MemoryBudget}); 0: what this machine affords
 */
public record KernelSettings(Duration timeLimit, Duration grace, int maxCellChars, long outputCap, String maxHeap,
                             int poolSize, KernelClassPath libraries, Path scratchRoot, Path sharedModels, long memoryBudget) {

    public KernelSettings {
        if (timeLimit.isNegative() || timeLimit.isZero()) throw new IllegalArgumentException("time limit must be positive, got " + timeLimit);
        if (poolSize < 0) throw new IllegalArgumentException("pool size must be >= 0, got " + poolSize);
        if (memoryBudget < 0) throw new IllegalArgumentException("memory budget must be >= 0 (0: from the machine), got " + memoryBudget);
    }

    /** Ten seconds per cell, two seconds of grace, 256 KB of output, two warm kernels. */
    public static KernelSettings defaults(Path scratchRoot) {
        return new KernelSettings(Duration.ofSeconds(10), Duration.ofSeconds(2), 100_000, 256 * 1024, "768m",
                2, KernelClassPath.discover(), scratchRoot, null, 0);
    }

    public KernelSettings withTimeLimit(Duration limit) {
        return new KernelSettings(limit, grace, maxCellChars, outputCap, maxHeap, poolSize, libraries, scratchRoot, sharedModels, memoryBudget);
    }

    public KernelSettings withPoolSize(int size) {
        return new KernelSettings(timeLimit, grace, maxCellChars, outputCap, maxHeap, size, libraries, scratchRoot, sharedModels, memoryBudget);
    }

    /** Kernels that may use {@code bytes} of memory all together (0: what this machine affords, see {@link MemoryBudget}). */
    public KernelSettings withMemoryBudget(long bytes) {
        return new KernelSettings(timeLimit, grace, maxCellChars, outputCap, maxHeap, poolSize, libraries, scratchRoot, sharedModels, bytes);
    }

    /** Kernels that read the shipped models in {@code folder} ({@code ModelCatalog.load()} in a cell). */
    public KernelSettings withSharedModels(Path folder) {
        return new KernelSettings(timeLimit, grace, maxCellChars, outputCap, maxHeap, poolSize, libraries, scratchRoot, folder, memoryBudget);
    }
}
