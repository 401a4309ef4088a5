-- Compensation subscriptions (issue 19): completed activities a
-- compensation throw or end event can compensate, as Zeebe's
-- COMPENSATION_SUBSCRIPTION. live = 1 until the handler completed or the
-- process instance ended; ended rows stay as history. Row-level security
-- as on every tenant_id table (migration 10).
CREATE TABLE compensation_subscriptions (
    key                               BIGINT PRIMARY KEY,
    live                              SMALLINT NOT NULL,
    process_instance_key              BIGINT NOT NULL,
    process_definition_key            BIGINT NOT NULL,
    compensable_activity_id           TEXT COLLATE "C" NOT NULL,
    compensable_activity_scope_key    BIGINT NOT NULL,
    compensable_activity_instance_key BIGINT NOT NULL,
    throw_event_id                    TEXT COLLATE "C" NOT NULL,
    throw_event_instance_key          BIGINT NOT NULL,
    compensation_handler_id           TEXT COLLATE "C" NOT NULL,
    compensation_handler_instance_key BIGINT NOT NULL,
    tenant_id                         TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX compensation_subscriptions_live ON compensation_subscriptions (key) WHERE live = 1;
ALTER TABLE compensation_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON compensation_subscriptions FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
