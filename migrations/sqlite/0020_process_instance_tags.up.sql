-- Process instance tags (Camunda 8.8's createProcessInstance tags), one row
-- per tagged instance: its tags as a JSON array of strings, projected from
-- the creation command as its batch commits (core/store/history.go).
CREATE TABLE process_instance_tags (
    process_instance_key INTEGER PRIMARY KEY,
    tags                 TEXT NOT NULL,
    tenant_id            TEXT NOT NULL DEFAULT '<default>'
) STRICT;
