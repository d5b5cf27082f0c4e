package dev.glassbox.web.training;

import java.time.Duration;

/**
 * How long a training run may go on and what a learner may keep. How many runs go at once is
 * {@link dev.glassbox.web.server.ServerLimits#trainingRuns()}; one learner has at most one run at a time.
 *
 * @param idleStop        a run whose page nobody has looked at for this long is stopped (its model can still be saved)
 * @param maxWallTime     the longest any run may take; it is stopped then
 * @param keepFinished    a run that ended is forgotten this long after it ended (saved models stay)
 * @param savedPerLearner models one learner may save on this server
 * @param curvePoints     points of the loss curve sent to the page (a longer curve is averaged down to this many)
 */
public record TrainingLimits(Duration idleStop, Duration maxWallTime, Duration keepFinished, int savedPerLearner, int curvePoints) {
    public TrainingLimits {
        positive("idleStop", idleStop);
        positive("maxWallTime", maxWallTime);
        positive("keepFinished", keepFinished);
        if (savedPerLearner < 1) throw new IllegalArgumentException("savedPerLearner must be at least 1, got " + savedPerLearner);
        if (curvePoints < 2) throw new IllegalArgumentException("curvePoints must be at least 2, got " + curvePoints);
    }

    /** Stopped after 10 min unwatched or 30 min in all; forgotten an hour after it ended; 5 saved models each; 500 points. */
    public static TrainingLimits defaults() {
        return new TrainingLimits(Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), 5, 500);
    }

    public TrainingLimits withIdleStop(Duration idle) {
        return new TrainingLimits(idle, maxWallTime, keepFinished, savedPerLearner, curvePoints);
    }

    public TrainingLimits withMaxWallTime(Duration wall) {
        return new TrainingLimits(idleStop, wall, keepFinished, savedPerLearner, curvePoints);
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
}
