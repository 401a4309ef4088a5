-- Retention (issue 20, core/retention, store.Retainer): finished process
-- instances are removed after their history time to live, a batch of
-- instances per transaction, beside the commits.
--
-- The selection walks the finished process instances of one process id in
-- key order. The index covers no column that changes while a non-process
-- element instance lives (ADR 7): instance_state is '' and fixed on those,
-- and changes on process instances only, whose state change is never a HOT
-- update anyway (process_instances_state). An index on end_time would make
-- every element instance's completion a non-HOT update, so end_time is
-- read from the row.
CREATE INDEX process_instances_finished ON element_instances (bpmn_process_id, key)
    WHERE flow_scope_key = -1 AND instance_state IN ('COMPLETED', 'TERMINATED');
-- The rows of an instance, found by its key (the other tables have such an
-- index already). process_instance_key never changes.
CREATE INDEX signal_subscriptions_process_instance ON signal_subscriptions (process_instance_key);
CREATE INDEX incident_error_hashes_process_instance ON incident_error_hashes (process_instance_key);
CREATE INDEX compensation_subscriptions_process_instance ON compensation_subscriptions (process_instance_key);

-- Usage metrics survive retention: the root process instances removed,
-- counted by tenant and the minute they started (start_minute: Unix ms of
-- the minute's start). The usage count adds them to the instances still
-- stored, so a range counts removed instances by their start minute.
CREATE TABLE usage_removed_instances (
    tenant_id    TEXT COLLATE "C" NOT NULL,
    start_minute BIGINT NOT NULL,
    instances    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, start_minute)
);
CREATE INDEX usage_removed_instances_minute ON usage_removed_instances (start_minute);
ALTER TABLE usage_removed_instances ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON usage_removed_instances FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
