-- Histories the store projects from the log as each batch commits
-- (core/store/history.go, tables.History): the sequence flows taken, the
-- messages correlated to subscriptions and message start events, the user
-- task assignments. A row is written once and never changes, so indexes
-- cost no HOT updates. Batches committed before this migration have no
-- rows here (their records stay in the log).
CREATE TABLE sequence_flows (
    key                    BIGINT PRIMARY KEY, -- the SEQUENCE_FLOW_TAKEN record's key
    process_instance_key   BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX sequence_flows_process_instance ON sequence_flows (process_instance_key, element_id);

CREATE TABLE correlated_message_subscriptions (
    position               BIGINT PRIMARY KEY, -- the CORRELATED record's log position
    subscription_key       BIGINT NOT NULL,
    message_key            BIGINT NOT NULL,
    message_name           TEXT COLLATE "C" NOT NULL,
    correlation_key        TEXT COLLATE "C" NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    element_instance_key   BIGINT NOT NULL,
    correlation_time       BIGINT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX correlated_message_subscriptions_process_instance ON correlated_message_subscriptions (process_instance_key);
CREATE INDEX correlated_message_subscriptions_message ON correlated_message_subscriptions (message_key);
CREATE INDEX correlated_message_subscriptions_subscription ON correlated_message_subscriptions (subscription_key);
CREATE INDEX correlated_message_subscriptions_element_instance ON correlated_message_subscriptions (element_instance_key);
CREATE INDEX correlated_message_subscriptions_name ON correlated_message_subscriptions (message_name, correlation_key);
CREATE INDEX correlated_message_subscriptions_definition ON correlated_message_subscriptions (process_definition_key);
CREATE INDEX correlated_message_subscriptions_time ON correlated_message_subscriptions (correlation_time);

CREATE TABLE user_task_assignments (
    position      BIGINT PRIMARY KEY, -- the user task record's log position
    user_task_key BIGINT NOT NULL,
    assignee      TEXT COLLATE "C" NOT NULL,
    assign_time   BIGINT NOT NULL,
    tenant_id     TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX user_task_assignments_time ON user_task_assignments (assign_time);

-- Usage metrics: process instances started in a time range. start_time
-- never changes once a row is written (ADR 7 allows the index).
CREATE INDEX process_instances_start ON element_instances (start_time) WHERE flow_scope_key = -1;

-- Row-level security as on every tenant_id table (migration 10).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sequence_flows', 'correlated_message_subscriptions', 'user_task_assignments'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (
            (SELECT current_setting('wf.tenants', true)) = '*'
            OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]))$p$, t);
    END LOOP;
END
$$;
