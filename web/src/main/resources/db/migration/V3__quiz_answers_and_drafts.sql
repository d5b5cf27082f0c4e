-- The learner's latest answer to each quiz of a lesson; a correct answer counts as progress like a passed exercise.
CREATE TABLE quiz_answer (
    learner_id  TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
    lesson_id   TEXT NOT NULL,
    quiz_id     TEXT NOT NULL,
    answer      TEXT NOT NULL,          -- JSON: {"choices": [1, 2]} or {"text": "34"}
    correct     INTEGER NOT NULL,       -- 1 right, 0 not yet
    answered_at TEXT NOT NULL,
    PRIMARY KEY (learner_id, lesson_id, quiz_id)
);
CREATE INDEX quiz_answer_lesson ON quiz_answer (lesson_id, learner_id);

-- Notebooks a learner imported (.ipynb with Java cells), kept as draft lessons in their own space.
CREATE TABLE draft_lesson (
    learner_id  TEXT NOT NULL REFERENCES learner (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    title       TEXT NOT NULL,
    markdown    TEXT NOT NULL,          -- the lesson file the notebook became
    created_at  TEXT NOT NULL,
    PRIMARY KEY (learner_id, id)
);
