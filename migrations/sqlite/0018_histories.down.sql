DROP INDEX IF EXISTS process_instances_start;
DROP TABLE IF EXISTS user_task_assignments;
DROP TABLE IF EXISTS correlated_message_subscriptions;
DROP TABLE IF EXISTS sequence_flows;
