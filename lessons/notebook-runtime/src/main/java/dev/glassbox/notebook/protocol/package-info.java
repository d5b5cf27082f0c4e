/** The JSON-lines protocol between the server and a kernel JVM, modeled on Jupyter's messages, and the cell outputs it carries. */
package dev.glassbox.notebook.protocol;
