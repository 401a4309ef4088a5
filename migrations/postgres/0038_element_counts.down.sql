DROP INDEX IF EXISTS process_instances_completed_start;
DROP TRIGGER IF EXISTS element_counts_delete ON element_instances;
DROP FUNCTION IF EXISTS element_counts_delete();
DROP TABLE IF EXISTS element_counts_migrated;
DROP TABLE IF EXISTS element_counts;
-- The statistics rollup of migration 33 starts empty again and counts from
-- the rows on its next runs.
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
