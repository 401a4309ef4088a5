-- One log per partition in the shared tables (issue 21, docs/scaling.md
-- "one log per partition in the shared tables"). Partition p's positions
-- are ((p - 1) << 51) | n and its keys (p << 51) | n, so partition 1's are
-- those of a store of one partition: nothing of the log or the rows moves.
-- meta, log_anchor and recovery get one row per partition (id = p);
-- KeepPartitions inserts the rows of partitions 2..n when the store keeps
-- its count, meta's with last_position = (p - 1) << 51 and
-- last_key = p << 51. Row 1 stays the store's (and keeps meta.partitions).
ALTER TABLE meta DROP CONSTRAINT IF EXISTS meta_id_check;
ALTER TABLE meta ADD CONSTRAINT meta_id_check CHECK (id BETWEEN 1 AND 4095);
ALTER TABLE log_anchor DROP CONSTRAINT IF EXISTS log_anchor_id_check;
ALTER TABLE log_anchor ADD CONSTRAINT log_anchor_id_check CHECK (id BETWEEN 1 AND 4095);
ALTER TABLE recovery DROP CONSTRAINT IF EXISTS recovery_id_check;
ALTER TABLE recovery ADD CONSTRAINT recovery_id_check CHECK (id BETWEEN 1 AND 4095);
