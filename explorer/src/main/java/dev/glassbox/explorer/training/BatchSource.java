package dev.glassbox.explorer.training;

/**
 * Where training batches come from. The batch of a step must depend only on the step (and the source's own seed),
 * never on what was asked before: that is what lets a run resumed from a checkpoint continue bit for bit.
 */
@FunctionalInterface
public interface BatchSource {
    Batch next(int step);
}
