-- The Tasklist's page: open tasks (state CREATED), newest first. With this
-- index the page reads its 50 rows from the index's end instead of
-- sorting every open task (docs/benchmarks.md, Tasklist page). A task's
-- entry goes when it completes; user task rows are not HOT-updated anyway
-- (user_tasks_state covers state).
CREATE INDEX user_tasks_open_by_creation ON user_tasks (creation_time, key) WHERE state = 'CREATED';
