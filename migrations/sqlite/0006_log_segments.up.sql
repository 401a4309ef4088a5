-- The log as one row per committed batch: its records framed in data
-- (core/store/internal/tables/segments.go). Records written before this
-- migration stay in log and are read first.
CREATE TABLE log_segments (
    first_position INTEGER PRIMARY KEY,
    last_position  INTEGER NOT NULL,
    records        INTEGER NOT NULL,
    data           BLOB NOT NULL
);
