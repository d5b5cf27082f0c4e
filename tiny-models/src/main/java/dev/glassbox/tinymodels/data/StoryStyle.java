package dev.glassbox.tinymodels.data;

/**
 * How a story is told. Both styles share the grammar's core (openings, feelings, dialogue, endings and the
 * characters); a style brings its own places, goals, helpers and scenery.
 */
public enum StoryStyle {
    /** Parks, gardens, forests and farms. */
    PLAIN,
    /** Every story set by the sea: beaches, harbours, boats, waves and sea creatures. For fine-tuning a model trained on {@link #PLAIN}. */
    SEA
}
