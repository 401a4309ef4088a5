-- The writer's index cost and the element statistics at scale (issue 20,
-- docs/stores.md "Indexes", "Element statistics rollup").
--
-- 1. The two indexes of process instances by state hold the unfinished
-- ones only, like element_instances_unfinished: the update that finishes a
-- process instance writes no entry into either (it writes one into each
-- today), and a search on ACTIVE or TERMINATED still reads only those
-- rows. A search on COMPLETED, the most rows by far, walks the primary
-- key, the index of start times or process_instances_finished with the
-- state as a filter: nearly every row it reads matches. On a big database
-- create the new ones by hand first (CREATE INDEX CONCURRENTLY IF NOT
-- EXISTS with these definitions); the migration then skips them.
CREATE INDEX IF NOT EXISTS process_instances_open_by_key ON element_instances (instance_state, key)
    WHERE flow_scope_key = -1 AND instance_state <> 'COMPLETED';
CREATE INDEX IF NOT EXISTS process_instances_open_by_start ON element_instances (instance_state, start_time)
    WHERE flow_scope_key = -1 AND instance_state <> 'COMPLETED';
DROP INDEX IF EXISTS process_instances_state_key;
DROP INDEX IF EXISTS process_instances_state_start;

-- 2. Element statistics rolled up off the commit path
-- (store.StatisticsRoller, pgstore/statsrollup.go), as the usage counts
-- are (migration 29): element_statistics counts the element instances of
-- the finished process instances (COMPLETED or TERMINATED: their element
-- instances never change again) per process definition and element id,
-- up to a process instance key per partition (element_statistics_marks).
-- A process instance that was not finished when the rollup passed its key
-- waits in element_statistics_pending until a later rollup finds it
-- finished. A definition's statistics add the counts, the process
-- instances above the marks and the pending ones, read from the rows.
-- Retention subtracts the counted instances it removes; the rollup and
-- retention lock the usage rollup's sentinel row as they do for usage.
CREATE TABLE IF NOT EXISTS element_statistics_marks (
    partition_id         INTEGER PRIMARY KEY,
    process_instance_key BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS element_statistics (
    process_definition_key BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL,
    instances              BIGINT NOT NULL,
    active                 BIGINT NOT NULL,
    canceled               BIGINT NOT NULL,
    incidents              BIGINT NOT NULL,
    completed              BIGINT NOT NULL,
    PRIMARY KEY (process_definition_key, element_id, tenant_id)
);
CREATE TABLE IF NOT EXISTS element_statistics_pending (
    process_instance_key BIGINT PRIMARY KEY,
    tenant_id            TEXT COLLATE "C" NOT NULL
);
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['element_statistics', 'element_statistics_pending'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (
            (SELECT current_setting('wf.tenants', true)) = '*'
            OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]))$p$, t);
    END LOOP;
END
$$;

-- 3. Start dates as key ranges, rolled up off the commit path by the same
-- step: per partition and start minute, the lowest and highest key of the
-- element instances (process instances included) started in that minute,
-- up to an element instance key per partition (element_start_marks; keys
-- grow in commit order within a partition, and start_time never changes
-- once a row is written). A search by a start-date range that the indexes
-- do not serve (element instances; process instances not sorted by start
-- date) reads the key ranges of the minutes it covers and the keys above
-- the marks through the primary key instead of every row. Removed rows
-- only leave a range wider than needed.
CREATE TABLE IF NOT EXISTS element_start_marks (
    partition_id         INTEGER PRIMARY KEY,
    element_instance_key BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS element_start_minutes (
    partition_id INTEGER NOT NULL,
    start_minute BIGINT NOT NULL,
    min_key      BIGINT NOT NULL,
    max_key      BIGINT NOT NULL,
    PRIMARY KEY (partition_id, start_minute)
);
