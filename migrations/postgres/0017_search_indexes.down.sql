-- Development only: drops the indexes of the search_indexes migration.
DROP INDEX IF EXISTS incidents_open_by_instance;
DROP INDEX IF EXISTS incidents_definition;
DROP INDEX IF EXISTS incidents_process_id;
DROP INDEX IF EXISTS user_tasks_element_instance;
DROP INDEX IF EXISTS message_subscriptions_name;
DROP INDEX IF EXISTS user_tasks_assignee;
CREATE INDEX user_tasks_assignee ON user_tasks (assignee) WHERE live = 1;
