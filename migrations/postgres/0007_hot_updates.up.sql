-- State rows laid out for HOT updates (docs/adr/0007): no index covers a
-- column that changes while a row lives, so that updating an element
-- instance or a job writes no index entries when its page has room. The
-- process instance state, which searches filter on, gets its own column:
-- it is '' and never changes on the other element instances.
ALTER TABLE element_instances ADD COLUMN instance_state TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE element_instances SET instance_state = state WHERE flow_scope_key = -1;
DROP INDEX element_instances_active;
DROP INDEX process_instances_state;
CREATE INDEX process_instances_state ON element_instances (instance_state) WHERE flow_scope_key = -1;
DROP INDEX jobs_state_type;
CREATE INDEX jobs_type ON jobs (type);

-- Log segments arrive compressed (S2, core/store/internal/tables); the
-- database stores them as they are instead of trying to compress them.
ALTER TABLE log_segments ALTER COLUMN data SET STORAGE EXTERNAL;
