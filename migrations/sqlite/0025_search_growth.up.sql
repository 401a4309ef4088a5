-- Searches over millions of finished instances (issue 20, docs/stores.md
-- "Indexes"): a search on a state reads that state's rows in key order.
-- SQLite cannot tell that "state = ?" implies a partial index's condition,
-- so these cover every state; values are compared through (name, value).
CREATE INDEX IF NOT EXISTS element_instances_state_key ON element_instances (state, key);
CREATE INDEX IF NOT EXISTS jobs_state_key ON jobs (state, key);
CREATE INDEX IF NOT EXISTS process_instances_state_key ON element_instances (instance_state, key) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS process_instances_state_start ON element_instances (instance_state, start_time) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS process_instances_end ON element_instances (end_time) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS variables_name_value ON variables (name, value);
DROP INDEX IF EXISTS process_instances_state;
DROP INDEX IF EXISTS variables_name;
