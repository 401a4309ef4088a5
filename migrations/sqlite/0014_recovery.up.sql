-- Whether the store may be behind what the engine told clients (store.
-- RecoveryDetector, docs/backup.md): `pending` says why when it is, and is
-- set in the copies `wf-engine backup` writes and by `wf-engine restore`.
-- The engine skips keys at start (KEY_RANGE SKIPPED) and clears it.
CREATE TABLE recovery (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    pending TEXT NOT NULL
) STRICT;
INSERT INTO recovery (id, pending) VALUES (1, '');
