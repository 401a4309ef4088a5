-- The user task element's name (Camunda's user task `name`); '' when it has none.
ALTER TABLE user_tasks ADD COLUMN name TEXT NOT NULL DEFAULT '';
