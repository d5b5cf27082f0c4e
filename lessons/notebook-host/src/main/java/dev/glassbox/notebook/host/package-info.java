/**
 * Kernels seen from the server: a child JVM per learner that hosts JShell, started from a warm pool,
 * with per-cell time limits (stop, grace, kill and restart) and output caps.
 */
package dev.glassbox.notebook.host;
