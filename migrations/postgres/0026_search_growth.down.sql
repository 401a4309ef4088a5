CREATE INDEX IF NOT EXISTS variables_name ON variables (name);
CREATE INDEX IF NOT EXISTS process_instances_state ON element_instances (instance_state) WHERE flow_scope_key = -1;
DROP INDEX IF EXISTS variables_name_value;
DROP INDEX IF EXISTS process_instances_end;
DROP INDEX IF EXISTS process_instances_state_start;
DROP INDEX IF EXISTS process_instances_state_key;
DROP INDEX IF EXISTS jobs_unfinished;
DROP INDEX IF EXISTS element_instances_unfinished;
