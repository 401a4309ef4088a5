-- The answers to commands sent with an Idempotency-Key (issue 21, which
-- supersedes ADR 0004's keys in memory), projected from the IDEMPOTENCY_KEY
-- RECORDED event the engine writes in the command's own batch
-- (core/store/idempotency.go). created is the command's time in Unix
-- milliseconds; the retention runner deletes expired rows by it.
CREATE TABLE idempotency_keys (
    key_hash         TEXT PRIMARY KEY,
    fingerprint      TEXT NOT NULL,
    created          INTEGER NOT NULL,
    command_position INTEGER NOT NULL,
    rejection_type   INTEGER NOT NULL,
    rejection_reason TEXT NOT NULL,
    response         TEXT NOT NULL
) STRICT;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
