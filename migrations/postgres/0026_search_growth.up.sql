-- Searches over millions of finished instances (issue 20, docs/stores.md
-- "Indexes"). Finished rows are the many; a search on a state reads the
-- few unfinished rows through these partial indexes in key order, and a
-- finished state walks the primary key. The state columns change while a
-- row lives, so an element instance's or job's update that finishes it is
-- no longer HOT (the updates before it still can be); process instance rows
-- were not HOT already (instance_state is indexed since migration 7).
-- Variables' values are found by (name, md5(value)): a btree cannot hold
-- long values whole, and a hash index of the value degrades with the many
-- equal values variables have ("true"); it replaces the index of the name.
-- A variable's update that changes its value is no longer HOT.
-- On a big database create these by hand with CREATE INDEX CONCURRENTLY
-- before upgrading (docs/stores.md): IF NOT EXISTS then skips them.
CREATE INDEX IF NOT EXISTS element_instances_unfinished ON element_instances (state, key) WHERE state <> 'COMPLETED';
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs (state, key) WHERE state <> 'COMPLETED' AND state <> 'CANCELED';
CREATE INDEX IF NOT EXISTS process_instances_state_key ON element_instances (instance_state, key) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS process_instances_state_start ON element_instances (instance_state, start_time) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS process_instances_end ON element_instances (end_time) WHERE flow_scope_key = -1;
CREATE INDEX IF NOT EXISTS variables_name_value ON variables (name, md5(value));
DROP INDEX IF EXISTS process_instances_state;
DROP INDEX IF EXISTS variables_name;
