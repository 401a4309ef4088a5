-- Log compaction (core/store/compaction.go, docs/stores.md "Log compaction").
-- A checkpoint is the live state as of a log position, read in one snapshot
-- with that position and the hash of the segment ending there, S2-compressed
-- JSON of state.Snapshot (core/store/internal/tables/checkpoint.go).
CREATE TABLE log_checkpoints (
    position    BIGINT PRIMARY KEY,
    hash        BYTEA,
    created_ms  BIGINT NOT NULL,
    state_bytes BIGINT NOT NULL,
    data        BYTEA NOT NULL
);
-- Already compressed: stored out of line without a second compression.
ALTER TABLE log_checkpoints ALTER COLUMN data SET STORAGE EXTERNAL;
-- The chain anchor: the position and hash of the last segment compaction
-- removed (position 0: none was). The hash chain is verified from here.
CREATE TABLE log_anchor (
    id       INT PRIMARY KEY CHECK (id = 1),
    position BIGINT NOT NULL,
    hash     BYTEA
);
INSERT INTO log_anchor (id, position, hash) VALUES (1, 0, NULL);
