-- Documents (Camunda 8.8's /v2/documents, api/rest/documents.go): blobs
-- that processes and clients upload, kept in the database so that they
-- survive restarts and are part of every backup. They are not process
-- state and never go through the log: the REST layer writes and deletes
-- them directly. content_hash is the SHA-256 of content as lowercase hex
-- (Camunda's contentHash); expires_time is metadata.expiresAt as Unix ms,
-- 0 for never; process_instance_key 0 for none; custom_properties the JSON
-- object text of metadata.customProperties, '' for none.
CREATE TABLE documents (
    document_id           TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL DEFAULT '<default>',
    content_type          TEXT NOT NULL,
    file_name             TEXT NOT NULL,
    expires_time          INTEGER NOT NULL,
    size                  INTEGER NOT NULL,
    content_hash          TEXT NOT NULL,
    process_definition_id TEXT NOT NULL,
    process_instance_key  INTEGER NOT NULL,
    custom_properties     TEXT NOT NULL,
    creation_time         INTEGER NOT NULL,
    content               BLOB NOT NULL
) STRICT;
-- The sweep of expired documents reads only those that expire.
CREATE INDEX documents_expiring ON documents (expires_time) WHERE expires_time > 0;
