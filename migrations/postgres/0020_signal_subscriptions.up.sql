-- Signal subscriptions (issue 19): catch, boundary and start events waiting
-- for a signal. catch_event_instance_key and process_instance_key are -1 for
-- a start event's subscription (a process definition's). live = 1 while the
-- subscription is open; deleted rows stay as history. Row-level security as
-- on every tenant_id table (migration 10).
CREATE TABLE signal_subscriptions (
    key                      BIGINT PRIMARY KEY,
    live                     SMALLINT NOT NULL,
    process_definition_key   BIGINT NOT NULL,
    bpmn_process_id          TEXT COLLATE "C" NOT NULL,
    catch_event_id           TEXT COLLATE "C" NOT NULL,
    catch_event_instance_key BIGINT NOT NULL,
    process_instance_key     BIGINT NOT NULL,
    signal_name              TEXT COLLATE "C" NOT NULL,
    interrupting             SMALLINT NOT NULL,
    tenant_id                TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX signal_subscriptions_live ON signal_subscriptions (key) WHERE live = 1;
ALTER TABLE signal_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON signal_subscriptions FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
