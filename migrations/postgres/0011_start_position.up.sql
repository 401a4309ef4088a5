-- The log position of the command that activated an element instance
-- (state.ElementInstance.StartPosition): a process instance's history is
-- read from the log from there. Rows written before keep 0 (unknown: the
-- history reads the log from its start). No index: it is read by key.
ALTER TABLE element_instances ADD COLUMN start_position BIGINT NOT NULL DEFAULT 0;
