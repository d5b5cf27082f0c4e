/** Benchmarks of the shipped models, run by the bench profile (see BENCHMARKS.md), not by the tests. */
package dev.glassbox.tinymodels.bench;
