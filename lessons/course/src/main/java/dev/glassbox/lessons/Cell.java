package dev.glassbox.lessons;

import java.util.List;
import java.util.Objects;

/**
 * A {@code ```java} block of a lesson: code the learner runs in the notebook.
 *
 * <p>An exercise cell holds the starter code and carries the hidden check that grades it; the
 * check is never shown. It may also carry a solution, which the page fetches only when the learner
 * asks for it. Line numbers are 1-based lines of the lesson file and point at the opening fence,
 * so line {@code k} of {@code code} is file line {@code line + k} (and likewise for
 * {@code check}/{@code checkLine} and {@code solution}/{@code solutionLine}).
 *
 * @param id        unique within the lesson; {@code cell-N} when the fence names none
 * @param code      the cell's source, without a trailing newline
 * @param line      file line of the opening fence
 * @param exercise  whether the learner is meant to complete this cell
 * @param check     the check's source for an exercise, {@code null} otherwise
 * @param checkLine file line of the check's opening fence for an exercise, 0 otherwise
 * @param solution     the solution's source for an exercise that has one, {@code null} otherwise
 * @param solutionLine file line of the solution's opening fence, 0 when there is none
 * @param hints        an exercise's hints as HTML, in the order the page reveals them; empty otherwise
 */
public record Cell(String id, String code, int line, boolean exercise, String check, int checkLine,
                   String solution, int solutionLine, List<String> hints) implements Block {
    public Cell {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(code, "code");
        hints = List.copyOf(hints);
        if (!exercise && !hints.isEmpty()) {
            throw new IllegalArgumentException("cell '" + id + "' is not an exercise, so it takes no hints; found " + hints.size());
        }
        if (line < 1) {
            throw new IllegalArgumentException("cell '" + id + "': line must be 1 or more, found " + line);
        }
        if (exercise && (check == null || checkLine < 1)) {
            throw new IllegalArgumentException("exercise cell '" + id
                    + "' needs a check and its line, found check " + (check == null ? "null" : "present")
                    + " at line " + checkLine);
        }
        if (!exercise && (check != null || checkLine != 0 || solution != null)) {
            throw new IllegalArgumentException("cell '" + id
                    + "' is not an exercise, so it takes no check or solution; expected null and line 0, found check line "
                    + checkLine + (solution != null ? " and a solution" : ""));
        }
        if ((solution == null) != (solutionLine == 0) || solutionLine < 0) {
            throw new IllegalArgumentException("cell '" + id + "': a solution comes with its line (1 or more) and no solution"
                    + " with line 0, found solution " + (solution == null ? "null" : "present") + " at line " + solutionLine);
        }
    }

    /** A cell without hints. */
    public Cell(String id, String code, int line, boolean exercise, String check, int checkLine, String solution, int solutionLine) {
        this(id, code, line, exercise, check, checkLine, solution, solutionLine, List.of());
    }
}
