-- Element counts by process instance state (issue 20; ADR 39;
-- docs/stores.md "Element counts"). Operate's diagram overlay asks for the
-- statistics of a definition's running instances (state ACTIVE), which
-- migration 38's counters could not answer: the statement read the element
-- instances of every running instance (385 / 473 ms p50 / p99 with 100k of
-- them, 10M completed).
--
-- element_counts gains the state of the element instance's process
-- instance (its root row, flow_scope_key = -1, whose instance_state is
-- ACTIVE, COMPLETED or TERMINATED). A non-root element instance counts in
-- the bucket of its process instance's state; one whose process instance
-- row is missing counts nowhere (as in the plain statement; the engine
-- writes the process instance row with its first element instances and
-- retention deletes it with its last, in one transaction).
--
-- The commit's count statement (pgstore/elementcounts.go) counts a batch's
-- rows in the state their process instance has after the batch: the one of
-- its process instance row when the batch writes it, else the stored one.
-- A batch that changes a process instance's state (ends it) first moves
-- the instance's stored element instances from the old state's counts to
-- the new (read through element_instances_process_instance), then counts
-- its rows and subtracts the rows they replace, in the new state.
--
-- Deletes subtract through the statement trigger, each row in the state
-- of its process instance row: deleted in the same statement, or still
-- stored. Deleting a process instance row subtracts the element instances
-- of the instance that stay (retention deletes the process instance rows
-- first, then the other rows by process instance key, in one
-- transaction); their own delete then finds no process instance row and
-- subtracts nothing more.
--
-- The counts are filled again from the rows: one hash join of the non-root
-- element instances with the process instance rows (key and state), like
-- migration 38's join (minutes at 10M instances); the writer is stopped
-- meanwhile (migrations run before it starts).
LOCK TABLE element_instances IN SHARE ROW EXCLUSIVE MODE;
DROP TRIGGER element_counts_delete ON element_instances;
DROP FUNCTION element_counts_delete();
DROP TABLE element_counts;
CREATE TABLE element_counts (
    process_definition_key BIGINT NOT NULL,
    instance_state         TEXT COLLATE "C" NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL,
    partition_id           INTEGER NOT NULL,
    instances              BIGINT NOT NULL,
    active                 BIGINT NOT NULL,
    canceled               BIGINT NOT NULL,
    incidents              BIGINT NOT NULL,
    completed              BIGINT NOT NULL,
    PRIMARY KEY (process_definition_key, instance_state, element_id, tenant_id, partition_id)
);
ALTER TABLE element_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON element_counts FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));

-- Deleted rows subtract from the counters of -1 - partition, each in the
-- state of its process instance row (deleted with it or stored); a
-- deleted process instance row subtracts the element instances of its
-- instance that stay, and leaves element_counts_migrated. The instances
-- of the deleted rows are looked up once each, not once per row.
CREATE FUNCTION element_counts_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO element_counts AS c (process_definition_key, instance_state, element_id, tenant_id, partition_id,
        instances, active, canceled, incidents, completed)
    WITH roots AS MATERIALIZED (
            SELECT key, instance_state FROM element_counts_old WHERE flow_scope_key = -1),
        states AS (
            SELECT k.process_instance_key, COALESCE(r.instance_state, (SELECT p.instance_state FROM element_instances p
                WHERE p.key = k.process_instance_key AND p.flow_scope_key = -1)) AS instance_state
            FROM (SELECT DISTINCT process_instance_key FROM element_counts_old WHERE flow_scope_key <> -1) AS k
            LEFT JOIN roots r ON r.key = k.process_instance_key),
        gone AS (
            SELECT s.instance_state, o.process_definition_key, o.element_id, o.tenant_id, o.key, o.state, o.incident_key
            FROM element_counts_old o JOIN states s ON s.process_instance_key = o.process_instance_key
            WHERE o.flow_scope_key <> -1 AND s.instance_state IS NOT NULL
            UNION ALL
            SELECT r.instance_state, e.process_definition_key, e.element_id, e.tenant_id, e.key, e.state, e.incident_key
            FROM roots r JOIN element_instances e ON e.process_instance_key = r.key AND e.flow_scope_key <> -1)
    SELECT process_definition_key, instance_state, element_id, tenant_id, -1 - (key >> 51)::integer, -count(*),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
        -count(*) FILTER (WHERE state = 'TERMINATED'),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
        -count(*) FILTER (WHERE state = 'COMPLETED')
    FROM gone GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (process_definition_key, instance_state, element_id, tenant_id, partition_id) DO UPDATE SET
        instances = c.instances + excluded.instances, active = c.active + excluded.active,
        canceled = c.canceled + excluded.canceled, incidents = c.incidents + excluded.incidents,
        completed = c.completed + excluded.completed;
    DELETE FROM element_counts_migrated m USING element_counts_old o
    WHERE o.flow_scope_key = -1 AND m.process_instance_key = o.key;
    RETURN NULL;
END
$$;

-- Fill from the rows: the non-root element instances joined with their
-- process instance rows by key (a hash join over the process instance rows'
-- key and state; work_mem keeps its spill small, as in migration 38).
SET LOCAL work_mem = '256MB';
INSERT INTO element_counts (process_definition_key, instance_state, element_id, tenant_id, partition_id,
    instances, active, canceled, incidents, completed)
SELECT e.process_definition_key, r.instance_state, e.element_id, e.tenant_id, (e.key >> 51)::integer, count(*),
    count(*) FILTER (WHERE e.state = 'ACTIVE' AND e.incident_key <= 0),
    count(*) FILTER (WHERE e.state = 'TERMINATED'),
    count(*) FILTER (WHERE e.state = 'ACTIVE' AND e.incident_key > 0),
    count(*) FILTER (WHERE e.state = 'COMPLETED')
FROM element_instances e JOIN element_instances r ON r.key = e.process_instance_key
WHERE e.flow_scope_key <> -1 AND r.flow_scope_key = -1
GROUP BY 1, 2, 3, 4, 5;
CREATE TRIGGER element_counts_delete AFTER DELETE ON element_instances
    REFERENCING OLD TABLE AS element_counts_old FOR EACH STATEMENT EXECUTE FUNCTION element_counts_delete();
