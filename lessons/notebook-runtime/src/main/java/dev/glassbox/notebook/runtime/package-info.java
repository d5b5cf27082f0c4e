/** The code that runs inside a kernel JVM: the protocol loop, JShell cell evaluation and output capture. */
package dev.glassbox.notebook.runtime;
