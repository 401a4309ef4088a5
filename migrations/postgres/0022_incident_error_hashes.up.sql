-- The hash of each incident's error message as Camunda computes it (Java's
-- String.hashCode), for Camunda 8.8's incidentErrorHashCode filter. The
-- store projects it from the INCIDENT CREATED event as its batch commits
-- (core/store/history.go); a row is written once and never changes.
-- Row-level security as on every tenant_id table (migration 10).
CREATE TABLE incident_error_hashes (
    incident_key         BIGINT PRIMARY KEY,
    process_instance_key BIGINT NOT NULL,
    error_hash           INT NOT NULL,
    tenant_id            TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
ALTER TABLE incident_error_hashes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON incident_error_hashes FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
