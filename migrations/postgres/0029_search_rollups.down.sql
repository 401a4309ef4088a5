DROP TABLE IF EXISTS usage_started_instances;
DROP TABLE IF EXISTS usage_rollup_marks;
CREATE INDEX IF NOT EXISTS process_instances_process_id ON element_instances (bpmn_process_id) WHERE flow_scope_key = -1;
DROP INDEX IF EXISTS process_instances_process_id_key;
DROP INDEX IF EXISTS element_instances_open_by_element;
