-- Camunda Forms deployed as .form resources (record.FormValue): every
-- version, never deleted; a restart loads them all. Versions count per
-- form id and tenant. Row-level security as on every tenant_id table
-- (migration 10).
CREATE TABLE forms (
    key            BIGINT PRIMARY KEY,
    form_id        TEXT COLLATE "C" NOT NULL,
    version        INT NOT NULL,
    version_tag    TEXT COLLATE "C" NOT NULL,
    resource_name  TEXT COLLATE "C" NOT NULL,
    resource       BYTEA NOT NULL,
    checksum       TEXT NOT NULL,
    deployment_key BIGINT NOT NULL,
    tenant_id      TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
ALTER TABLE forms ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON forms FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
