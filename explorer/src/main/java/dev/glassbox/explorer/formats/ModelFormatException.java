package dev.glassbox.explorer.formats;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file that does not follow its format: the one exception every reader throws for a bad file.
 * The message names the file, what was expected and the byte offset where it was not found,
 * e.g. {@code model.gguf: GGUF magic 0x46554747 expected, found 0x00000000 at byte 0}.
 * An offset of -1 means the problem has no single position (e.g. a tensor listed in an index but
 * missing from every shard).
 */
public final class ModelFormatException extends IOException {
    private final transient Path file;
    private final long offset;
    private final String problem;

    public ModelFormatException(Path file, long offset, String problem) {
        super(file.getFileName() + ": " + problem + (offset >= 0 ? " at byte " + offset : ""));
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    public ModelFormatException(Path file, long offset, String problem, Throwable cause) {
        this(file, offset, problem);
        initCause(cause);
    }

    /** The file that is not well formed. */
    public Path file() { return file; }

    /** Where in the file the problem was found, in bytes from its start; -1 when there is no single place. */
    public long offset() { return offset; }

    /** What was expected and what was found, without the file name and offset. */
    public String problem() { return problem; }
}
