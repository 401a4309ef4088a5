-- Retention (issue 20): the same indexes and usage table as PostgreSQL's
-- migration 24. Finished process instances of one process id in key order
-- (end_time is read from the row, as in PostgreSQL), the rows of an
-- instance by its key, and the usage counts of removed root instances by
-- tenant and start minute (Unix ms of the minute's start).
CREATE INDEX process_instances_finished ON element_instances (bpmn_process_id, key)
    WHERE flow_scope_key = -1 AND instance_state IN ('COMPLETED', 'TERMINATED');
CREATE INDEX signal_subscriptions_process_instance ON signal_subscriptions (process_instance_key);
CREATE INDEX incident_error_hashes_process_instance ON incident_error_hashes (process_instance_key);
CREATE INDEX compensation_subscriptions_process_instance ON compensation_subscriptions (process_instance_key);
CREATE TABLE usage_removed_instances (
    tenant_id    TEXT NOT NULL,
    start_minute INTEGER NOT NULL,
    instances    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, start_minute)
) STRICT;
CREATE INDEX usage_removed_instances_minute ON usage_removed_instances (start_minute);
