-- The Tasklist's page: open tasks (state CREATED), newest first, read from
-- the index's end instead of sorting every open task.
CREATE INDEX user_tasks_open_by_creation ON user_tasks (creation_time, key) WHERE state = 'CREATED';
