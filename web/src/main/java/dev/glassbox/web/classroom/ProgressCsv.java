package dev.glassbox.web.classroom;

import dev.glassbox.lessons.Cell;
import dev.glassbox.lessons.Lesson;
import dev.glassbox.lessons.LessonCatalog;
import dev.glassbox.web.store.Store;
import dev.glassbox.web.store.Store.ExerciseProgress;
import dev.glassbox.web.store.Store.Student;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A class's progress as CSV for the teacher's spreadsheet: one row per student and exercise of every
 * lesson, with the attempts, whether it passed, when it first passed and when it was last checked
 * (ISO-8601, UTC; empty when never). Fields a spreadsheet would run as a formula are quoted and
 * prefixed with an apostrophe: student names are typed by students.
 */
public final class ProgressCsv {
    static final String HEADER = "student,joined,last_seen,lesson,exercise,attempts,passed,first_passed,last_checked";

    private ProgressCsv() {}

    public static String of(String classCode, Store store, LessonCatalog lessons) {
        Map<String, ExerciseProgress> done = new HashMap<>();
        for (ExerciseProgress p : store.classExercises(classCode)) done.put(key(p.learnerId(), p.lessonId(), p.cellId()), p);
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        List<Student> students = store.students(classCode);
        for (Student s : students) {
            for (Lesson lesson : lessons.lessons()) {
                for (Cell cell : lesson.cells()) {
                    if (!cell.exercise()) continue;
                    ExerciseProgress p = done.get(key(s.id(), lesson.id(), cell.id()));
                    csv.append(field(s.displayName())).append(',').append(time(s.joinedAt())).append(',').append(time(s.lastSeenAt()))
                            .append(',').append(field(lesson.id())).append(',').append(field(cell.id()))
                            .append(',').append(p == null ? 0 : p.attempts())
                            .append(',').append(p != null && p.passed())
                            .append(',').append(p == null ? "" : time(p.firstPassedAt()))
                            .append(',').append(p == null ? "" : time(p.lastCheckedAt()))
                            .append("\r\n");
                }
            }
        }
        return csv.toString();
    }

    private static String key(String learner, String lesson, String cell) {
        return learner + '\u0000' + lesson + '\u0000' + cell;
    }

    private static String time(Instant t) {
        return t == null ? "" : t.toString();
    }

    /** RFC 4180 quoting, and no formula: a leading =, +, - or @ gets an apostrophe. */
    static String field(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) v = "'" + v;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || v.startsWith("'")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
