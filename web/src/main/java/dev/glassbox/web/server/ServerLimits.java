package dev.glassbox.web.server;

import java.time.Duration;

/**
 * How much of the server one learner, or all of them together, may use. The kernels' own limits
 * (time per cell, output, memory) are in {@link dev.glassbox.notebook.host.KernelSettings}.
 *
 * @param maxKernels             kernels open at once, all learners together
 * @param maxKernelsPerLearner   kernels one learner may keep open (about one per lesson tab)
 * @param runningCells           cells running at once; the others wait their turn in a fair queue
 * @param queueWait              longest a cell waits for its turn before it is turned away
 * @param restartsPerMinute      kernel restarts one learner may ask for per minute
 * @param kernelOpensPerMinute   kernels one learner may open per minute
 * @param loginFailuresPerMinute wrong teacher passphrases accepted from one address per minute
 * @param joinFailuresPerMinute  wrong class codes accepted from one address per minute
 * @param idleTimeout            a kernel unused this long is closed (saved cells stay)
 * @param trainingRuns           training runs (the Train page) going at once, all learners together; each takes one core.
 *                               Quantization lab runs have as many slots of their own
 * @param cellsPerLearner        running cells one learner may have at once, all their kernels together (of {@code runningCells})
 * @param longCell               a cell running this long gives its slot back, keeping its kernel's turn and its learner's share
 */
public record ServerLimits(int maxKernels, int maxKernelsPerLearner, int runningCells, Duration queueWait,
                           int restartsPerMinute, int kernelOpensPerMinute, int loginFailuresPerMinute,
                           int joinFailuresPerMinute, Duration idleTimeout, int trainingRuns,
                           int cellsPerLearner, Duration longCell) {

    public ServerLimits {
        positive("maxKernels", maxKernels);
        positive("maxKernelsPerLearner", maxKernelsPerLearner);
        positive("runningCells", runningCells);
        positive("restartsPerMinute", restartsPerMinute);
        positive("kernelOpensPerMinute", kernelOpensPerMinute);
        positive("loginFailuresPerMinute", loginFailuresPerMinute);
        positive("joinFailuresPerMinute", joinFailuresPerMinute);
        positive("trainingRuns", trainingRuns);
        positive("cellsPerLearner", cellsPerLearner);
        if (queueWait.isNegative() || queueWait.isZero()) throw new IllegalArgumentException("queueWait must be positive, got " + queueWait);
        if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
        if (longCell.isNegative() || longCell.isZero()) throw new IllegalArgumentException("longCell must be positive, got " + longCell);
    }

    /**
     * 80 kernels (40 learners with two tabs each), 4 per learner, two running cells per core
     * (a cell mostly waits on its kernel JVM; more would only slow every cell down), 5 restarts a minute,
     * one training run per core but one (a run keeps its core busy for minutes: one core stays for requests and cells),
     * and a quarter of the running cells (at least one) per learner: a few learners who send many cells at once
     * still leave most slots to the class; a cell gives its slot back after 2 s, so long cells leave them too.
     */
    public static ServerLimits defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServerLimits(80, 4, 2 * cores, Duration.ofMinutes(2), 5, 10, 5, 20, Duration.ofMinutes(30), Math.max(1, cores - 1),
                Math.max(1, cores / 2), Duration.ofSeconds(2));
    }

    public ServerLimits withMaxKernels(int max) {
        return new ServerLimits(max, maxKernelsPerLearner, runningCells, queueWait, restartsPerMinute, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, trainingRuns, cellsPerLearner, longCell);
    }

    public ServerLimits withRunningCells(int cells) {
        return new ServerLimits(maxKernels, maxKernelsPerLearner, cells, queueWait, restartsPerMinute, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, trainingRuns, cellsPerLearner, longCell);
    }

    public ServerLimits withRestartsPerMinute(int restarts) {
        return new ServerLimits(maxKernels, maxKernelsPerLearner, runningCells, queueWait, restarts, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, trainingRuns, cellsPerLearner, longCell);
    }

    public ServerLimits withTrainingRuns(int runs) {
        return new ServerLimits(maxKernels, maxKernelsPerLearner, runningCells, queueWait, restartsPerMinute, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, runs, cellsPerLearner, longCell);
    }

    public ServerLimits withCellsPerLearner(int cells) {
        return new ServerLimits(maxKernels, maxKernelsPerLearner, runningCells, queueWait, restartsPerMinute, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, trainingRuns, cells, longCell);
    }

    public ServerLimits withLongCell(Duration cell) {
        return new ServerLimits(maxKernels, maxKernelsPerLearner, runningCells, queueWait, restartsPerMinute, kernelOpensPerMinute,
                loginFailuresPerMinute, joinFailuresPerMinute, idleTimeout, trainingRuns, cellsPerLearner, cell);
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
}
