/** The course around the lessons: the course map, search, the glossary, quizzes, and lessons as notebook files. */
package dev.glassbox.web.course;
