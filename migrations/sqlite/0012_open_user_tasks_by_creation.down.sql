-- Development only: drops the index of 0012.
DROP INDEX IF EXISTS user_tasks_open_by_creation;
