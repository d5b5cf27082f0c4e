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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything Glassbox keeps about learners, in one SQLite file. Each write is its own transaction in
 * WAL mode with full sync, so a server killed in the middle of a save keeps either the old or the new
 * version of a cell, never a torn one. One connection, used by one thread at a time.
 */
public final class Store implements AutoCloseable {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    /** A learner, found by the hash of their session cookie. */
    public record Learner(String id, String csrfToken) {}

    /** What a learner has done with one cell. {@code code} is null when the cell is not edited. */
    public record CellState(String cellId, String code, String status, Integer executionCount, String outputsJson,
                            Boolean exercisePassed, String exerciseMessage) {}

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

    public Learner createLearner(String id, String tokenHash, String csrfToken) {
        String now = Instant.now().toString();
        update("INSERT INTO learner (id, token_hash, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                id, tokenHash, csrfToken, now, now);
        return new Learner(id, csrfToken);
    }

    public Optional<Learner> learnerByTokenHash(String tokenHash) {
        return query("SELECT id, csrf_token FROM learner WHERE token_hash = ?", rs ->
                rs.next() ? Optional.of(new Learner(rs.getString(1), rs.getString(2))) : Optional.<Learner>empty(), tokenHash);
    }

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

    public void saveExercise(String learnerId, String lessonId, String cellId, boolean passed, String message) {
        update("""
                INSERT INTO cell_state (learner_id, lesson_id, cell_id, exercise_passed, exercise_message, checked_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (learner_id, lesson_id, cell_id) DO UPDATE SET exercise_passed = excluded.exercise_passed,
                    exercise_message = excluded.exercise_message, checked_at = excluded.checked_at
                """, learnerId, lessonId, cellId, passed ? 1 : 0, message, Instant.now().toString());
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

    private void update(String sql, Object... args) {
        lock.lock();
        try (PreparedStatement statement = prepare(sql, args)) {
            statement.executeUpdate();
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
