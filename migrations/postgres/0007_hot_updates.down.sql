ALTER TABLE log_segments ALTER COLUMN data SET STORAGE EXTENDED;
DROP INDEX jobs_type;
CREATE INDEX jobs_state_type ON jobs (state, type);
DROP INDEX process_instances_state;
CREATE INDEX process_instances_state ON element_instances (state) WHERE flow_scope_key = -1;
CREATE INDEX element_instances_active ON element_instances (key) WHERE state = 'ACTIVE';
ALTER TABLE element_instances DROP COLUMN instance_state;
