package dev.glassbox.tinymodels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder that holds the shipped models' files, one subfolder per model. The server prepares it
 * ({@code mayWrite}): a model's files are copied or generated once, and never touched again while they
 * are complete. A notebook kernel only reads it (it is mounted read-only in the sandbox): there a
 * missing or half-written file is an error that says so, not an attempt to write.
 *
 * @param root     the folder, e.g. {@code <data>/models} on the server or {@code /models} in a kernel
 * @param mayWrite whether missing files may be written here
 */
record ShippedFolder(Path root, boolean mayWrite) {

    /** Writes a model's files into its folder. */
    @FunctionalInterface
    interface Writer {
        void write(Path dir) throws IOException;
    }

    /** What is missing from a model's folder, or null when its files are complete. */
    @FunctionalInterface
    interface Check {
        String missing(Path dir) throws IOException;
    }

    /**
     * The folder {@code root/name} with {@code model}'s files complete: as found, or written by
     * {@code writer} when they are not and this folder may be written.
     */
    Path ready(String name, String model, Check check, Writer writer) throws IOException {
        Path dir = root.resolve(name);
        String missing = check.missing(dir);
        if (missing == null) return dir;
        if (!mayWrite) {
            throw new IOException("the shipped model " + model + " is not ready in " + dir + " (" + missing + "). The Glassbox"
                    + " server prepares these files when it starts, which takes a few seconds the first time; run the cell"
                    + " again in a moment. If it keeps failing, the server log says why the models could not be prepared.");
        }
        try {
            Files.createDirectories(dir);
            writer.write(dir);
        } catch (IOException e) {
            throw new IOException("cannot write the files of " + model + " into " + dir + " (" + missing + "): " + e, e);
        }
        String still = check.missing(dir);
        if (still != null) throw new IOException(model + " in " + dir + " is still incomplete after writing it: " + still);
        return dir;
    }

    /** The number of values in a model file's tensors, read from its header (nothing is decoded). */
    static long parameters(Path file) throws IOException {
        try (dev.glassbox.explorer.formats.ModelFile model = dev.glassbox.explorer.formats.detect.ModelFiles.open(file)) {
            return model.parameterCount();
        }
    }

    /** {@code missing} when {@code file} is absent, else null. */
    static String absent(Path file) {
        return Files.isRegularFile(file) ? null : file.getFileName() + " is missing";
    }
}
