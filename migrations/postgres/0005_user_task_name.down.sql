ALTER TABLE user_tasks DROP COLUMN name;
