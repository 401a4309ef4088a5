-- The log as one row per committed batch: its records framed in data
-- (core/store/internal/tables/segments.go). Records written before this
-- migration stay in log and are read first.
CREATE TABLE log_segments (
    first_position BIGINT PRIMARY KEY,
    last_position  BIGINT NOT NULL,
    records        INT NOT NULL,
    data           BYTEA NOT NULL
);
