-- Documents (Camunda 8.8's /v2/documents, api/rest/documents.go): blobs
-- that processes and clients upload, kept in the database so that they
-- survive restarts, are part of every backup and are shared by the engine
-- nodes of one database. They are not process state and never go through
-- the log: the REST layer writes and deletes them directly.
-- content_hash is the SHA-256 of content as lowercase hex (Camunda's
-- contentHash); expires_time is metadata.expiresAt as Unix ms, 0 for
-- never; process_instance_key 0 for none; custom_properties the JSON
-- object text of metadata.customProperties, '' for none. Row-level
-- security as on every tenant_id table (migration 10).
CREATE TABLE documents (
    document_id           TEXT COLLATE "C" PRIMARY KEY,
    tenant_id             TEXT COLLATE "C" NOT NULL DEFAULT '<default>',
    content_type          TEXT NOT NULL,
    file_name             TEXT NOT NULL,
    expires_time          BIGINT NOT NULL,
    size                  BIGINT NOT NULL,
    content_hash          TEXT COLLATE "C" NOT NULL,
    process_definition_id TEXT COLLATE "C" NOT NULL,
    process_instance_key  BIGINT NOT NULL,
    custom_properties     TEXT NOT NULL,
    creation_time         BIGINT NOT NULL,
    content               BYTEA NOT NULL
);
-- The sweep of expired documents reads only those that expire.
CREATE INDEX documents_expiring ON documents (expires_time) WHERE expires_time > 0;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON documents FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
