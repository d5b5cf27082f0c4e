/**
 * The notebook's runtime inside a kernel JVM. A kernel starts it from the module path, so its packages are strongly
 * encapsulated from the learner's cells (which run in the unnamed module): cells see the API they are meant to call,
 * and nothing of the channel to the server, its request ids or its key.
 */
module dev.glassbox.notebook {
    requires jdk.jshell;
    requires jdk.management;
    requires com.fasterxml.jackson.databind;

    exports dev.glassbox.notebook;                 // Display, Checks: what cells call
    exports dev.glassbox.notebook.protocol;        // the messages, which the server decodes too
    opens dev.glassbox.notebook.protocol to com.fasterxml.jackson.databind;
}
