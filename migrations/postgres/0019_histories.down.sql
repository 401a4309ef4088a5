DROP INDEX IF EXISTS process_instances_start;
DROP TABLE IF EXISTS user_task_assignments, correlated_message_subscriptions, sequence_flows;
