-- Element statistics of a process definition as live counters (issue 20:
-- at 10M instances the statistics over all states took 1.8-2.8 s, reading
-- every element instance of the 100k live instances; docs/stores.md
-- "Element counts").
--
-- element_counts holds, per process definition, element id, tenant and
-- partition, the non-root element instances (instances) and how many of
-- them are active without an incident, canceled, active with one and
-- completed, by search.ElementStatisticsSums' rules, exact in every
-- snapshot. Each commit adds, in its own transaction and before it writes
-- its element instance rows, what its rows add and subtract what the rows
-- they replace held (pgstore/elementcounts.go: one statement, the replaced
-- rows read by key); a commit touches only its partition's rows
-- (partition_id = key >> 51, the partition's single writer). Deletes
-- (retention) subtract through a statement trigger, into rows of their own
-- (partition_id = -1 - partition), so that retention never waits for the
-- writer nor the writer for it. Counts are by the element instance's own
-- definition; a process instance migration leaves the finished element
-- instances at the old definition, so the instances whose process
-- instance row changed definition are listed in element_counts_migrated
-- and the statistics correct for them from their rows
-- (search.ElementStatisticsCountedSQL). Statement triggers for inserts and
-- updates were measured first: 0.15-0.5 ms per statement (their plans over
-- the transition tables are made on every call), +38 us of PostgreSQL CPU
-- per W1 instance.
--
-- This replaces the statistics rollup of migration 33 (its tables go).
-- Filling the counters reads element_instances twice (minutes at 10M
-- instances); the writer is stopped meanwhile (migrations run before it
-- starts).
CREATE TABLE element_counts (
    process_definition_key BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL,
    partition_id           INTEGER NOT NULL,
    instances              BIGINT NOT NULL,
    active                 BIGINT NOT NULL,
    canceled               BIGINT NOT NULL,
    incidents              BIGINT NOT NULL,
    completed              BIGINT NOT NULL,
    PRIMARY KEY (process_definition_key, element_id, tenant_id, partition_id)
);
CREATE TABLE element_counts_migrated (
    process_instance_key BIGINT PRIMARY KEY,
    tenant_id            TEXT COLLATE "C" NOT NULL
);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['element_counts', 'element_counts_migrated'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (
            (SELECT current_setting('wf.tenants', true)) = '*'
            OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]))$p$, t);
    END LOOP;
END
$$;

-- Deleted rows subtract from the counters of -1 - partition, and a
-- deleted process instance leaves element_counts_migrated. The function
-- keeps the migration's search_path (the store's schema), whatever the
-- deleting session's is.
CREATE FUNCTION element_counts_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO element_counts AS c (process_definition_key, element_id, tenant_id, partition_id, instances, active, canceled, incidents, completed)
    SELECT process_definition_key, element_id, tenant_id, -1 - (key >> 51)::integer, -count(*),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
        -count(*) FILTER (WHERE state = 'TERMINATED'),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
        -count(*) FILTER (WHERE state = 'COMPLETED')
    FROM element_counts_old WHERE flow_scope_key <> -1
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (process_definition_key, element_id, tenant_id, partition_id) DO UPDATE SET
        instances = c.instances + excluded.instances, active = c.active + excluded.active,
        canceled = c.canceled + excluded.canceled, incidents = c.incidents + excluded.incidents,
        completed = c.completed + excluded.completed;
    DELETE FROM element_counts_migrated m USING element_counts_old o
    WHERE o.flow_scope_key = -1 AND m.process_instance_key = o.key;
    RETURN NULL;
END
$$;

-- Fill from the rows (the lock keeps writes out until the migration
-- commits; from then on commits and deletes count).
LOCK TABLE element_instances IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO element_counts (process_definition_key, element_id, tenant_id, partition_id, instances, active, canceled, incidents, completed)
SELECT process_definition_key, element_id, tenant_id, (key >> 51)::integer, count(*),
    count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
    count(*) FILTER (WHERE state = 'TERMINATED'),
    count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
    count(*) FILTER (WHERE state = 'COMPLETED')
FROM element_instances WHERE flow_scope_key <> -1
GROUP BY 1, 2, 3, 4;
-- The process instances with element instances of another definition
-- (migrated ones): one hash join of the process instances (key and
-- definition) with the element rows; work_mem keeps its spill small (at
-- 10M instances a join in 4 MB batches wrote gigabytes of temporary files).
SET LOCAL work_mem = '256MB';
INSERT INTO element_counts_migrated (process_instance_key, tenant_id)
SELECT r.key, r.tenant_id FROM element_instances r
WHERE r.flow_scope_key = -1 AND r.key IN (SELECT e.process_instance_key FROM element_instances e
    JOIN element_instances p ON p.key = e.process_instance_key
    WHERE e.flow_scope_key <> -1 AND p.flow_scope_key = -1 AND e.process_definition_key <> p.process_definition_key);
CREATE TRIGGER element_counts_delete AFTER DELETE ON element_instances
    REFERENCING OLD TABLE AS element_counts_old FOR EACH STATEMENT EXECUTE FUNCTION element_counts_delete();

DROP TABLE IF EXISTS element_statistics_pending;
DROP TABLE IF EXISTS element_statistics;
DROP TABLE IF EXISTS element_statistics_marks;

-- COMPLETED process instances by start date. The newest instances are the
-- running ones: with 100k of them a page of COMPLETED instances by start
-- date, newest first, walked process_instances_start past every running
-- one, reading each row for its state (170 ms at 10M instances). The
-- update that completes a process instance writes one entry more (it is
-- not HOT already: instance_state is in the partial indexes of migration
-- 33). On a big database create it by hand first (CREATE INDEX
-- CONCURRENTLY IF NOT EXISTS with this definition); the migration then
-- skips it.
CREATE INDEX IF NOT EXISTS process_instances_completed_start ON element_instances (start_time)
    WHERE flow_scope_key = -1 AND instance_state = 'COMPLETED';
