-- The hash of each incident's error message as Camunda computes it (Java's
-- String.hashCode), for Camunda 8.8's incidentErrorHashCode filter,
-- projected from the INCIDENT CREATED event (core/store/history.go).
CREATE TABLE incident_error_hashes (
    incident_key         INTEGER PRIMARY KEY,
    process_instance_key INTEGER NOT NULL,
    error_hash           INTEGER NOT NULL,
    tenant_id            TEXT NOT NULL DEFAULT '<default>'
) STRICT;
