-- Searches that stay fast over millions of finished instances (issue 20,
-- docs/stores.md "Indexes", ADR 26). None of these indexes covers a column
-- whose change is HOT today (ADR 7):
--
-- element_instances_open_by_element holds the unfinished element instances
-- (ACTIVE, TERMINATED) by state, element id and process instance: a search
-- of process instances by an element's id and unfinished state starts from
-- these few rows, in process instance order. state is indexed already
-- (element_instances_unfinished), so the update that finishes an element
-- instance was not HOT before either; the new version of a COMPLETED row
-- gets no entry. Inserting an unfinished element instance writes one entry
-- more.
CREATE INDEX IF NOT EXISTS element_instances_open_by_element ON element_instances (state, element_id, process_instance_key)
    WHERE state <> 'COMPLETED' AND flow_scope_key <> -1;
-- Process instances of one process id in key order (the default sort): a
-- rare process id's first page reads its own entries instead of walking the
-- primary key past every other process's instances. It replaces the index
-- of the process id alone. Both columns never change.
CREATE INDEX IF NOT EXISTS process_instances_process_id_key ON element_instances (bpmn_process_id, key) WHERE flow_scope_key = -1;
DROP INDEX IF EXISTS process_instances_process_id;

-- Usage counts rolled up off the commit path (store.UsageRoller): the root
-- process instances started per tenant and minute, counted in the
-- background up to a process instance key per partition (usage_rollup_marks;
-- keys grow in commit order within a partition). A usage count adds the
-- rolled-up minutes, the instances above the marks and the minutes at the
-- range's ends from the rows themselves. Retention subtracts the rolled-up
-- instances it removes (they move to usage_removed_instances).
CREATE TABLE IF NOT EXISTS usage_rollup_marks (
    partition_id         INTEGER PRIMARY KEY,
    process_instance_key BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS usage_started_instances (
    tenant_id    TEXT COLLATE "C" NOT NULL,
    start_minute BIGINT NOT NULL,
    instances    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, start_minute)
);
CREATE INDEX IF NOT EXISTS usage_started_instances_minute ON usage_started_instances (start_minute);
ALTER TABLE usage_started_instances ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON usage_started_instances FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
-- The sentinel row that the rollup and retention lock (pgstore/usage.go).
INSERT INTO usage_rollup_marks (partition_id, process_instance_key) VALUES (-1, -1) ON CONFLICT (partition_id) DO NOTHING;
