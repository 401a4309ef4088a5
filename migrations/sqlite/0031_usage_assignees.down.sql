DROP INDEX user_task_assignments_task;
DROP TABLE usage_assignees;
