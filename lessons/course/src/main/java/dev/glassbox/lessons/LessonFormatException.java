package dev.glassbox.lessons;

/**
 * A lesson file that does not follow the lesson format. The message reads
 * {@code file:line: problem} so that editors and terminals can jump to the spot.
 */
public final class LessonFormatException extends Exception {
    private final String file;
    private final int line;
    private final String problem;

    LessonFormatException(String file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** The lesson file's name, as given to the parser. */
    public String file() {
        return file;
    }

    /** The 1-based line of the file where the problem is. */
    public int line() {
        return line;
    }

    /** What is wrong and what was expected, without the file and line. */
    public String problem() {
        return problem;
    }
}
