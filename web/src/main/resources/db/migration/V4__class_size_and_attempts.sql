-- Issue 14: the teacher sets a class size; a removed student's sessions end (role 'removed'); exercise attempts are counted.
ALTER TABLE classroom ADD COLUMN max_students INTEGER NOT NULL DEFAULT 40;
ALTER TABLE cell_state ADD COLUMN exercise_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cell_state ADD COLUMN first_passed_at TEXT;   -- when the exercise first passed, NULL if it has not
