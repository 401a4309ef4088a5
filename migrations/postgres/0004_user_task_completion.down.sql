ALTER TABLE user_tasks DROP COLUMN completion_time;
