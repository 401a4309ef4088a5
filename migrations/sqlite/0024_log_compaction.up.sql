-- Log compaction (core/store/compaction.go, docs/stores.md "Log compaction").
-- A checkpoint is the live state as of a log position, read in one snapshot
-- with that position and the hash of the segment ending there, S2-compressed
-- JSON of state.Snapshot (core/store/internal/tables/checkpoint.go).
CREATE TABLE log_checkpoints (
    position    INTEGER PRIMARY KEY,
    hash        BLOB,
    created_ms  INTEGER NOT NULL,
    state_bytes INTEGER NOT NULL,
    data        BLOB NOT NULL
);
-- The chain anchor: the position and hash of the last segment compaction
-- removed (position 0: none was). The hash chain is verified from here.
CREATE TABLE log_anchor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    hash     BLOB
);
INSERT INTO log_anchor (id, position, hash) VALUES (1, 0, NULL);
