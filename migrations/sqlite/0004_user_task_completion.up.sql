-- When a user task was completed or canceled (Unix ms); 0 while it is open.
ALTER TABLE user_tasks ADD COLUMN completion_time INTEGER NOT NULL DEFAULT 0;
