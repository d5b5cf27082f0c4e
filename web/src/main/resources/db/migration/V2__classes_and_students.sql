-- Classroom mode: a teacher's classes, and who is who in them.
CREATE TABLE classroom (
    code       TEXT PRIMARY KEY,          -- six characters from an unambiguous alphabet, upper case
    name       TEXT NOT NULL,
    teacher_id TEXT NOT NULL REFERENCES learner (id),
    created_at TEXT NOT NULL
);

-- learner: a single-user learner, a visitor who has not joined a class yet, a student of one class, or a teacher.
ALTER TABLE learner ADD COLUMN role TEXT NOT NULL DEFAULT 'learner';   -- learner | visitor | student | teacher
ALTER TABLE learner ADD COLUMN display_name TEXT;                       -- students: unique in their class, ignoring case
ALTER TABLE learner ADD COLUMN class_code TEXT REFERENCES classroom (code);

CREATE UNIQUE INDEX learner_name_in_class ON learner (class_code, lower(display_name)) WHERE class_code IS NOT NULL;
CREATE INDEX learner_class ON learner (class_code);
CREATE INDEX cell_state_lesson ON cell_state (lesson_id, learner_id);
