-- Development only: drops the user tasks and their data.
DROP TABLE IF EXISTS user_tasks;
