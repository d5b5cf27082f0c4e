package dev.glassbox.lessons;

/** One piece of a lesson page, in reading order: rendered prose or a runnable cell. */
public sealed interface Block permits Prose, Cell {}
