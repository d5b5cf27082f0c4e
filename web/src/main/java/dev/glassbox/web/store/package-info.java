/** Persistence: learners, their cell edits, last outputs and exercise results, in SQLite. */
package dev.glassbox.web.store;
