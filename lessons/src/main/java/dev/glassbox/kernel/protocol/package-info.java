/** The JSON-lines protocol between the server and a kernel JVM, modeled on Jupyter's messages. */
package dev.glassbox.kernel.protocol;
