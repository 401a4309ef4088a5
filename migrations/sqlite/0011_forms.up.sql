-- Camunda Forms deployed as .form resources (record.FormValue): every
-- version, never deleted; a restart loads them all. Versions count per
-- form id and tenant.
CREATE TABLE forms (
    key            INTEGER PRIMARY KEY,
    form_id        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    version_tag    TEXT NOT NULL,
    resource_name  TEXT NOT NULL,
    resource       BLOB NOT NULL,
    checksum       TEXT NOT NULL,
    deployment_key INTEGER NOT NULL,
    tenant_id      TEXT NOT NULL DEFAULT '<default>'
) STRICT;
