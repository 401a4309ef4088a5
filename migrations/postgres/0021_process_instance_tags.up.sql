-- Process instance tags (Camunda 8.8's createProcessInstance tags), one row
-- per tagged instance: its tags as a JSON array of strings. The store
-- projects them from the creation command as its batch commits
-- (core/store/history.go); a row is written once and never changes.
-- Row-level security as on every tenant_id table (migration 10).
CREATE TABLE process_instance_tags (
    process_instance_key BIGINT PRIMARY KEY,
    tags                 TEXT NOT NULL,
    tenant_id            TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
ALTER TABLE process_instance_tags ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON process_instance_tags FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
