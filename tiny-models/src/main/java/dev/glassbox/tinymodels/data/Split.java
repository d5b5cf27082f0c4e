package dev.glassbox.tinymodels.data;

/** Which part of a dataset: the examples a model trains on, or the ones kept aside to measure it. */
public enum Split {
    TRAIN,
    HELD_OUT
}
