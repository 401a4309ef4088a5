DROP TABLE IF EXISTS element_start_minutes;
DROP TABLE IF EXISTS element_start_marks;
DROP TABLE IF EXISTS element_statistics_pending;
DROP TABLE IF EXISTS element_statistics;
DROP TABLE IF EXISTS element_statistics_marks;
CREATE INDEX IF NOT EXISTS process_instances_state_key ON element_instances (instance_state, key) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS process_instances_state_start ON element_instances (instance_state, start_time) WHERE flow_scope_key = -1;
DROP INDEX IF EXISTS process_instances_open_by_key;
DROP INDEX IF EXISTS process_instances_open_by_start;
