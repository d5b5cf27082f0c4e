-- A learner is an anonymous browser session; everything a learner saves hangs off it.
CREATE TABLE learner (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,   -- SHA-256 of the session cookie; the cookie itself is never stored
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);

-- One row per learner, lesson and cell: the learner's edit, the last run and the exercise result.
CREATE TABLE cell_state (
    learner_id       TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
    lesson_id        TEXT NOT NULL,
    cell_id          TEXT NOT NULL,
    code             TEXT,               -- NULL: the cell shows the lesson's original code
    code_saved_at    TEXT,
    status           TEXT,               -- ok | error | timeout | interrupted | restarted | rejected
    execution_count  INTEGER,
    outputs          TEXT,               -- JSON array of Jupyter-like outputs
    ran_at           TEXT,
    exercise_passed  INTEGER,            -- 1 passed, 0 not yet, NULL never checked
    exercise_message TEXT,
    checked_at       TEXT,
    PRIMARY KEY (learner_id, lesson_id, cell_id)
);
