package dev.glassbox.web.store;

import org.flywaydb.core.Flyway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything Glassbox keeps about learners, in one SQLite file. Each write is its own transaction in
 * WAL mode with full sync, so a server killed in the middle of a save keeps either the old or the new
 * version of a cell, never a torn one. One connection, used by one thread at a time.
 * Every query about saved work names its learner, or, for the teacher, its class.
 */
public final class Store implements AutoCloseable {
    private static final String LEARNER_COLUMNS = "id, csrf_token, role, class_code, display_name, created_at";
    private static final String CLASS_QUERY = """
            SELECT c.code, c.name, c.created_at, (SELECT count(*) FROM learner l WHERE l.class_code = c.code AND l.role = 'student'),
                c.max_students
            FROM classroom c""";

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    /** What a session may do. */
    public enum Role {
        /** Single-user mode: the one person at this computer. */
        LEARNER,
        /** Classroom mode: someone who has not joined a class, or signed in as the teacher, yet. */
        VISITOR,
        STUDENT,
        TEACHER;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Role of(String wire) {
            return valueOf(wire.toUpperCase(Locale.ROOT));
        }
    }

    /** A session's learner, found by the hash of its cookie. {@code classCode} and {@code displayName}: students only. */
    public record Learner(String id, String csrfToken, Role role, String classCode, String displayName, Instant createdAt) {}

    /** What a learner has done with one cell. {@code code} is null when the cell is not edited. */
    public record CellState(String cellId, String code, String status, Integer executionCount, String outputsJson,
                            Boolean exercisePassed, String exerciseMessage) {}

    /** A class: its code, its name, when it was made, how many students joined and how many may (the teacher sets it). */
    public record ClassInfo(String code, String name, Instant createdAt, int students, int maxStudents) {}

    /** One student's progress on one exercise, for the teacher's CSV export. */
    public record ExerciseProgress(String learnerId, String lessonId, String cellId, int attempts, boolean passed,
                                   Instant firstPassedAt, Instant lastCheckedAt) {}

    /** A student could not join: the class has as many students as its teacher allows. */
    public static final class ClassFull extends RuntimeException {
        public ClassFull(String message) {
            super(message);
        }
    }

    /** A student of a class as the teacher sees them; {@code lastSeenAt} is written at most once a minute. */
    public record Student(String id, String displayName, Instant joinedAt, Instant lastSeenAt) {}

    /** One saved cell of a student, without its code or outputs: what the dashboard counts. */
    public record CellSummary(String learnerId, String lessonId, String cellId, boolean edited, String status,
                              Instant ranAt, Boolean exercisePassed) {}

    /** A learner's latest answer to a quiz; {@code answerJson} is what they sent, as JSON. */
    public record QuizAnswer(String quizId, String answerJson, boolean correct, Instant answeredAt) {}

    /** A student's quiz result, as the teacher's dashboard counts it. */
    public record QuizSummary(String learnerId, String lessonId, String quizId, boolean correct) {}

    /** A notebook the learner imported, kept as a draft lesson file. */
    public record Draft(String id, String title, String markdown, Instant createdAt) {}

    private Store(Connection connection) {
        this.connection = connection;
    }

    /** Opens (and creates or migrates) the database file {@code glassbox.db} in {@code dataDir}. */
    public static Store open(Path dataDir) throws SQLException {
        try {
            Files.createDirectories(dataDir);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot create the data folder " + dataDir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + dataDir.resolve("glassbox.db").toAbsolutePath();
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
        Connection connection = DriverManager.getConnection(url);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = FULL");
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("PRAGMA busy_timeout = 5000");
        }
        return new Store(connection);
    }

    // ---- sessions ----

    /** A new single-user learner, visitor or teacher; students come from {@link #createStudent}. */
    public Learner createLearner(String id, String tokenHash, String csrfToken, Role role) {
        if (role == Role.STUDENT) throw new IllegalArgumentException("a student is created with their class: createStudent");
        Instant now = Instant.now();
        update("INSERT INTO learner (id, token_hash, csrf_token, created_at, last_seen_at, role) VALUES (?, ?, ?, ?, ?, ?)",
                id, tokenHash, csrfToken, now.toString(), now.toString(), role.wire());
        return new Learner(id, csrfToken, role, null, null, now);
    }

    /**
     * A new student of class {@code classCode}. When another student of the class has the same name
     * (ignoring case), this one is called "Name 2", "Name 3", ... (the first free one, cut to {@code maxNameLength}).
     */
    public Learner createStudent(String id, String tokenHash, String csrfToken, String classCode, String name, int maxNameLength) {
        lock.lock();                             // the size and name checks and the insert are one step for other threads
        try {
            ClassInfo klass = findClass(classCode).orElseThrow(() -> new IllegalArgumentException("no class " + classCode));
            if (klass.students() >= klass.maxStudents()) {
                throw new ClassFull("Class " + classCode + " is full: it has " + klass.students() + " students, as many as "
                        + "its teacher allows. Ask your teacher to make room.");
            }
            Set<String> taken = query("SELECT display_name FROM learner WHERE class_code = ?", rs -> {
                Set<String> names = new HashSet<>();
                while (rs.next()) names.add(rs.getString(1).toLowerCase(Locale.ROOT));
                return names;
            }, classCode);
            String unique = name;
            for (int n = 2; taken.contains(unique.toLowerCase(Locale.ROOT)); n++) {
                String suffix = " " + n;
                int room = maxNameLength - suffix.length();
                String base = name.codePointCount(0, name.length()) > room
                        ? name.substring(0, name.offsetByCodePoints(0, room)).strip() : name;
                unique = base + suffix;
            }
            Instant now = Instant.now();
            update("""
                    INSERT INTO learner (id, token_hash, csrf_token, created_at, last_seen_at, role, class_code, display_name)
                    VALUES (?, ?, ?, ?, ?, 'student', ?, ?)""", id, tokenHash, csrfToken, now.toString(), now.toString(), classCode, unique);
            return new Learner(id, csrfToken, Role.STUDENT, classCode, unique, now);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Single-user mode's one learner: the one whose cookie hash is {@code tokenHash}; else (a data folder from
     * before the owner token, or a new token) the most recently seen single-user learner, who takes that hash;
     * else a new learner with {@code newId} and {@code newCsrf}. Every other single-user learner's cookie names
     * nobody from now on; their saved work stays in the file.
     */
    public Learner ownerLearner(String tokenHash, String newId, String newCsrf) {
        lock.lock();
        try {
            Optional<Learner> owner = learnerByTokenHash(tokenHash).filter(l -> l.role() == Role.LEARNER);
            if (owner.isEmpty()) {
                owner = query("SELECT " + LEARNER_COLUMNS + " FROM learner WHERE role = 'learner' ORDER BY last_seen_at DESC, created_at DESC LIMIT 1",
                        rs -> rs.next() ? Optional.of(learner(rs)) : Optional.<Learner>empty());
                owner.ifPresent(l -> update("UPDATE learner SET token_hash = ? WHERE id = ?", tokenHash, l.id()));
            }
            Learner learner = owner.orElseGet(() -> createLearner(newId, tokenHash, newCsrf, Role.LEARNER));
            update("UPDATE learner SET token_hash = 'revoked:' || id WHERE role = 'learner' AND id <> ? AND token_hash NOT LIKE 'revoked:%'",
                    learner.id());
            return learner;
        } finally {
            lock.unlock();
        }
    }

    public Optional<Learner> learnerByTokenHash(String tokenHash) {
        return query("SELECT " + LEARNER_COLUMNS + " FROM learner WHERE token_hash = ?", rs ->
                rs.next() ? Optional.of(learner(rs)) : Optional.<Learner>empty(), tokenHash);
    }

    private static Learner learner(ResultSet rs) throws SQLException {
        return new Learner(rs.getString(1), rs.getString(2), Role.of(rs.getString(3)), rs.getString(4), rs.getString(5),
                Instant.parse(rs.getString(6)));
    }

    /** Forgets a visitor who has become a student or the teacher; nobody else is ever deleted. */
    public void deleteVisitor(String learnerId) {
        update("DELETE FROM learner WHERE id = ? AND role = 'visitor'", learnerId);
    }

    /** Ends a session for good: its cookie names nobody from now on. {@code unusable} must be random. */
    public void revokeSession(String learnerId, String unusable) {
        update("UPDATE learner SET token_hash = ? WHERE id = ?", "revoked:" + unusable, learnerId);
    }

    public void touch(String learnerId, Instant seen) {
        update("UPDATE learner SET last_seen_at = ? WHERE id = ?", seen.toString(), learnerId);
    }

    // ---- classes ----

    /** A new class; false when the code is taken. */
    public boolean createClass(String code, String name, String teacherId) {
        lock.lock();
        try {
            if (findClass(code).isPresent()) return false;
            update("INSERT INTO classroom (code, name, teacher_id, created_at) VALUES (?, ?, ?, ?)",
                    code, name, teacherId, Instant.now().toString());
            return true;
        } finally {
            lock.unlock();
        }
    }

    public Optional<ClassInfo> findClass(String code) {
        return query(CLASS_QUERY + " WHERE c.code = ?", rs -> rs.next() ? Optional.of(classInfo(rs)) : Optional.<ClassInfo>empty(), code);
    }

    /** Every class, newest first. */
    public List<ClassInfo> classes() {
        return query(CLASS_QUERY + " ORDER BY c.created_at DESC", rs -> {
            List<ClassInfo> list = new ArrayList<>();
            while (rs.next()) list.add(classInfo(rs));
            return list;
        });
    }

    private static ClassInfo classInfo(ResultSet rs) throws SQLException {
        return new ClassInfo(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3)), rs.getInt(4), rs.getInt(5));
    }

    /** The students of a class, in the order they joined. */
    public List<Student> students(String classCode) {
        return query("""
                SELECT id, display_name, created_at, last_seen_at FROM learner
                WHERE class_code = ? AND role = 'student' ORDER BY created_at, display_name
                """, rs -> {
            List<Student> list = new ArrayList<>();
            while (rs.next()) {
                list.add(new Student(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3)), Instant.parse(rs.getString(4))));
            }
            return list;
        }, classCode);
    }

    /** Every saved cell of every student of a class, without code or outputs. */
    public List<CellSummary> classCells(String classCode) {
        return query("""
                SELECT c.learner_id, c.lesson_id, c.cell_id, c.code IS NOT NULL, c.status, c.ran_at, c.exercise_passed
                FROM cell_state c JOIN learner l ON l.id = c.learner_id
                WHERE l.class_code = ? AND l.role = 'student'
                """, rs -> {
            List<CellSummary> list = new ArrayList<>();
            while (rs.next()) {
                String ranAt = rs.getString(6);
                int passed = rs.getInt(7);
                Boolean exercisePassed = rs.wasNull() ? null : passed == 1;
                list.add(new CellSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                        ranAt == null ? null : Instant.parse(ranAt), exercisePassed));
            }
            return list;
        }, classCode);
    }

    /** The teacher's reset: every student of the class starts the lesson over. Returns how many saved cells were forgotten. */
    public int resetLesson(String classCode, String lessonId) {
        update("""
                DELETE FROM quiz_answer WHERE lesson_id = ?
                AND learner_id IN (SELECT id FROM learner WHERE class_code = ? AND role = 'student')
                """, lessonId, classCode);
        return update("""
                DELETE FROM cell_state WHERE lesson_id = ?
                AND learner_id IN (SELECT id FROM learner WHERE class_code = ? AND role = 'student')
                """, lessonId, classCode);
    }

    /** The teacher's class size: at most {@code maxStudents} students may join (those already in stay). */
    public void setClassSize(String classCode, int maxStudents) {
        update("UPDATE classroom SET max_students = ? WHERE code = ?", maxStudents, classCode);
    }

    /**
     * Removes a student from their class: their session ends for good ({@code unusable} must be random) and they
     * leave the class's list and count. Their saved work stays in the database. False when no such student.
     */
    public boolean removeStudent(String classCode, String learnerId, String unusable) {
        return update("UPDATE learner SET role = 'removed', token_hash = ? WHERE id = ? AND class_code = ? AND role = 'student'",
                "removed:" + unusable, learnerId, classCode) == 1;
    }

    /** Every exercise any student of the class has checked: attempts, result, when it first passed and when it was last checked. */
    public List<ExerciseProgress> classExercises(String classCode) {
        return query("""
                SELECT c.learner_id, c.lesson_id, c.cell_id, c.exercise_attempts, c.exercise_passed, c.first_passed_at, c.checked_at
                FROM cell_state c JOIN learner l ON l.id = c.learner_id
                WHERE l.class_code = ? AND l.role = 'student' AND c.checked_at IS NOT NULL
                """, rs -> {
            List<ExerciseProgress> list = new ArrayList<>();
            while (rs.next()) {
                String first = rs.getString(6);
                String last = rs.getString(7);
                list.add(new ExerciseProgress(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5) == 1,
                        first == null ? null : Instant.parse(first), last == null ? null : Instant.parse(last)));
            }
            return list;
        }, classCode);
    }

    // ---- saved work of one learner ----

    /** Saves the learner's edit of a cell; {@code null} code resets it to the lesson's original. */
    public void saveCode(String learnerId, String lessonId, String cellId, String code) {
        update("""
                INSERT INTO cell_state (learner_id, lesson_id, cell_id, code, code_saved_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (learner_id, lesson_id, cell_id) DO UPDATE SET code = excluded.code, code_saved_at = excluded.code_saved_at
                """, learnerId, lessonId, cellId, code, Instant.now().toString());
    }

    /** Saves the last run of a cell (status, count and outputs as JSON). */
    public void saveRun(String learnerId, String lessonId, String cellId, String status, int executionCount, String outputsJson) {
        update("""
                INSERT INTO cell_state (learner_id, lesson_id, cell_id, status, execution_count, outputs, ran_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (learner_id, lesson_id, cell_id) DO UPDATE SET status = excluded.status,
                    execution_count = excluded.execution_count, outputs = excluded.outputs, ran_at = excluded.ran_at
                """, learnerId, lessonId, cellId, status, executionCount, outputsJson, Instant.now().toString());
    }

    /** Saves an exercise's result, counting the attempt. */
    public void saveExercise(String learnerId, String lessonId, String cellId, boolean passed, String message) {
        String now = Instant.now().toString();
        update("""
                INSERT INTO cell_state (learner_id, lesson_id, cell_id, exercise_passed, exercise_message, checked_at,
                    exercise_attempts, first_passed_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (learner_id, lesson_id, cell_id) DO UPDATE SET exercise_passed = excluded.exercise_passed,
                    exercise_message = excluded.exercise_message, checked_at = excluded.checked_at,
                    exercise_attempts = cell_state.exercise_attempts + 1,
                    first_passed_at = coalesce(cell_state.first_passed_at, excluded.first_passed_at)
                """, learnerId, lessonId, cellId, passed ? 1 : 0, message, now, passed ? now : null);
    }

    /** Forgets a cell's edit, output and result: the learner starts that cell over. */
    public void resetCell(String learnerId, String lessonId, String cellId) {
        update("DELETE FROM cell_state WHERE learner_id = ? AND lesson_id = ? AND cell_id = ?", learnerId, lessonId, cellId);
    }

    /** Every saved cell of a lesson, by cell id. */
    public Map<String, CellState> lessonState(String learnerId, String lessonId) {
        return query("""
                SELECT cell_id, code, status, execution_count, outputs, exercise_passed, exercise_message
                FROM cell_state WHERE learner_id = ? AND lesson_id = ?
                """, rs -> {
            Map<String, CellState> cells = new LinkedHashMap<>();
            while (rs.next()) {
                int count = rs.getInt(4);
                Integer executionCount = rs.wasNull() ? null : count;
                int passed = rs.getInt(6);
                Boolean exercisePassed = rs.wasNull() ? null : passed == 1;
                cells.put(rs.getString(1), new CellState(rs.getString(1), rs.getString(2), rs.getString(3), executionCount,
                        rs.getString(5), exercisePassed, rs.getString(7)));
            }
            return cells;
        }, learnerId, lessonId);
    }

    // ---- quizzes ----

    /** Keeps the learner's latest answer to a quiz; once correct, a quiz stays correct. */
    public void saveQuizAnswer(String learnerId, String lessonId, String quizId, String answerJson, boolean correct) {
        update("""
                INSERT INTO quiz_answer (learner_id, lesson_id, quiz_id, answer, correct, answered_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (learner_id, lesson_id, quiz_id) DO UPDATE SET answer = excluded.answer,
                    correct = max(quiz_answer.correct, excluded.correct), answered_at = excluded.answered_at
                """, learnerId, lessonId, quizId, answerJson, correct ? 1 : 0, Instant.now().toString());
    }

    /** The learner's answers to the quizzes of a lesson, by quiz id. */
    public Map<String, QuizAnswer> quizAnswers(String learnerId, String lessonId) {
        return query("SELECT quiz_id, answer, correct, answered_at FROM quiz_answer WHERE learner_id = ? AND lesson_id = ?", rs -> {
            Map<String, QuizAnswer> answers = new LinkedHashMap<>();
            while (rs.next()) {
                answers.put(rs.getString(1), new QuizAnswer(rs.getString(1), rs.getString(2), rs.getInt(3) == 1,
                        Instant.parse(rs.getString(4))));
            }
            return answers;
        }, learnerId, lessonId);
    }

    /** Every quiz result of every student of a class. */
    public List<QuizSummary> classQuizzes(String classCode) {
        return query("""
                SELECT q.learner_id, q.lesson_id, q.quiz_id, q.correct
                FROM quiz_answer q JOIN learner l ON l.id = q.learner_id
                WHERE l.class_code = ? AND l.role = 'student'
                """, rs -> {
            List<QuizSummary> list = new ArrayList<>();
            while (rs.next()) list.add(new QuizSummary(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) == 1));
            return list;
        }, classCode);
    }

    /** Forgets a learner's answer to a quiz. */
    public void resetQuiz(String learnerId, String lessonId, String quizId) {
        update("DELETE FROM quiz_answer WHERE learner_id = ? AND lesson_id = ? AND quiz_id = ?", learnerId, lessonId, quizId);
    }

    // ---- drafts ----

    /** Saves an imported notebook as a draft lesson of the learner, replacing one with the same id. */
    public void saveDraft(String learnerId, String id, String title, String markdown) {
        update("""
                INSERT INTO draft_lesson (learner_id, id, title, markdown, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (learner_id, id) DO UPDATE SET title = excluded.title, markdown = excluded.markdown,
                    created_at = excluded.created_at
                """, learnerId, id, title, markdown, Instant.now().toString());
    }

    /** The learner's drafts, newest first. */
    public List<Draft> drafts(String learnerId) {
        return query("SELECT id, title, markdown, created_at FROM draft_lesson WHERE learner_id = ? ORDER BY created_at DESC, id", rs -> {
            List<Draft> list = new ArrayList<>();
            while (rs.next()) list.add(new Draft(rs.getString(1), rs.getString(2), rs.getString(3), Instant.parse(rs.getString(4))));
            return list;
        }, learnerId);
    }

    public Optional<Draft> draft(String learnerId, String id) {
        return drafts(learnerId).stream().filter(d -> d.id().equals(id)).findFirst();
    }

    public boolean deleteDraft(String learnerId, String id) {
        return update("DELETE FROM draft_lesson WHERE learner_id = ? AND id = ?", learnerId, id) > 0;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, Reader<T> reader, Object... args) {
        lock.lock();
        try (PreparedStatement statement = prepare(sql, args); ResultSet rs = statement.executeQuery()) {
            return reader.read(rs);
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            lock.unlock();
        }
    }

    private int update(String sql, Object... args) {
        lock.lock();
        try (PreparedStatement statement = prepare(sql, args)) {
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        } finally {
            lock.unlock();
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) statement.setObject(i + 1, args[i]);
        return statement;
    }

    @Override
    public void close() throws SQLException {
        lock.lock();
        try {
            connection.close();
        } finally {
            lock.unlock();
        }
    }

    /** A database failure; the request that hit it gets a 500 and nothing else is affected. */
    public static final class StoreException extends RuntimeException {
        StoreException(SQLException cause) {
            super("database error: " + cause.getMessage(), cause);
        }
    }
}
