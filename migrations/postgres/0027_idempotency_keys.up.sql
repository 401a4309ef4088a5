-- The answers to commands sent with an Idempotency-Key (issue 21, which
-- supersedes ADR 0004's keys in memory): one row per key and principal
-- (key_hash), projected from the IDEMPOTENCY_KEY RECORDED event the engine
-- writes in the command's own batch (core/store/idempotency.go), so that an
-- answer exists exactly when its command committed. created is the
-- command's time in Unix milliseconds; the retention runner deletes rows
-- older than http.idempotency_ttl through the created index.
CREATE TABLE idempotency_keys (
    key_hash         TEXT COLLATE "C" PRIMARY KEY,
    fingerprint      TEXT NOT NULL,
    created          BIGINT NOT NULL,
    command_position BIGINT NOT NULL,
    rejection_type   SMALLINT NOT NULL,
    rejection_reason TEXT NOT NULL,
    response         TEXT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
