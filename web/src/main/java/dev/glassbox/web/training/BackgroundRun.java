package dev.glassbox.web.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A learner's run on a background thread that holds one of the server's training slots: a model trained from a
 * recipe ({@link LearnerRun}) or a model fine-tuned from another ({@link FineTuneJob}). {@link TrainingRuns} keeps at
 * most one per learner and stops them through this view; {@link SavedModels} saves the model one leaves.
 */
sealed interface BackgroundRun permits LearnerRun, FineTuneJob {
    String learnerId();

    LearnerRun.State state();

    /** Asks the run to end after the step in progress (the first reason given is kept). */
    void stop(LearnerRun.StopReason reason);

    /** Nanoseconds since the learner's page last looked at the run. */
    long unwatchedNanos();

    /** Nanoseconds since the run started. */
    long ageNanos();

    /** Nanoseconds since the run ended; 0 while it goes on. */
    long endedAgoNanos();

    /** What the run is doing, in words, for a learner who tries to start another ("training sorter, step 40 of 300"). */
    String busyText();

    /** Why its model cannot be saved now, or null when it can. */
    String whyNotSaveable();

    /** Writes its model into {@code dir/id}, titled {@code name}; returns the folder. */
    Path save(Path dir, String id, String name) throws IOException;
}
