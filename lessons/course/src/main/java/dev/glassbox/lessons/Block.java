package dev.glassbox.lessons;

/** One piece of a lesson page, in reading order: rendered prose, a runnable cell, a quiz or a note for the teacher. */
public sealed interface Block permits Prose, Cell, Quiz, TeacherNote {}
