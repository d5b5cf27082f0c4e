/** Lessons as data: the Markdown lesson format, its parser, and the catalog of lessons the app ships. */
package dev.glassbox.lessons;
