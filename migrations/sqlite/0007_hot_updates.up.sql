-- The same indexes as PostgreSQL's migration 7 (docs/adr/0007), so that
-- both stores search and load the same way: the process instance state has
-- its own column, '' on the other element instances.
ALTER TABLE element_instances ADD COLUMN instance_state TEXT NOT NULL DEFAULT '';
UPDATE element_instances SET instance_state = state WHERE flow_scope_key = -1;
DROP INDEX element_instances_active;
DROP INDEX process_instances_state;
CREATE INDEX process_instances_state ON element_instances (instance_state) WHERE flow_scope_key = -1;
DROP INDEX jobs_state_type;
CREATE INDEX jobs_type ON jobs (type);
