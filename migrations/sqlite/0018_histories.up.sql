-- Histories the store projects from the log as each batch commits
-- (core/store/history.go, tables.History): the sequence flows taken, the
-- messages correlated to subscriptions and message start events, the user
-- task assignments. A row is written once and never changes. Batches
-- committed before this migration have no rows here.
CREATE TABLE sequence_flows (
    key                    INTEGER PRIMARY KEY,
    process_instance_key   INTEGER NOT NULL,
    element_id             TEXT NOT NULL,
    process_definition_key INTEGER NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX sequence_flows_process_instance ON sequence_flows (process_instance_key, element_id);

CREATE TABLE correlated_message_subscriptions (
    position               INTEGER PRIMARY KEY,
    subscription_key       INTEGER NOT NULL,
    message_key            INTEGER NOT NULL,
    message_name           TEXT NOT NULL,
    correlation_key        TEXT NOT NULL,
    process_instance_key   INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    element_id             TEXT NOT NULL,
    element_instance_key   INTEGER NOT NULL,
    correlation_time       INTEGER NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX correlated_message_subscriptions_process_instance ON correlated_message_subscriptions (process_instance_key);
CREATE INDEX correlated_message_subscriptions_message ON correlated_message_subscriptions (message_key);
CREATE INDEX correlated_message_subscriptions_subscription ON correlated_message_subscriptions (subscription_key);
CREATE INDEX correlated_message_subscriptions_element_instance ON correlated_message_subscriptions (element_instance_key);
CREATE INDEX correlated_message_subscriptions_name ON correlated_message_subscriptions (message_name, correlation_key);
CREATE INDEX correlated_message_subscriptions_definition ON correlated_message_subscriptions (process_definition_key);
CREATE INDEX correlated_message_subscriptions_time ON correlated_message_subscriptions (correlation_time);

CREATE TABLE user_task_assignments (
    position      INTEGER PRIMARY KEY,
    user_task_key INTEGER NOT NULL,
    assignee      TEXT NOT NULL,
    assign_time   INTEGER NOT NULL,
    tenant_id     TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX user_task_assignments_time ON user_task_assignments (assign_time);

CREATE INDEX process_instances_start ON element_instances (start_time) WHERE flow_scope_key = -1;
