-- Whether the store may be behind what the engine told clients (store.
-- RecoveryDetector, docs/backup.md). `identity` is the database's identity
-- when the engine last started: PostgreSQL's system identifier, the
-- timeline, the database's and this table's OIDs. A point-in-time recovery
-- or a failover starts a new timeline, pg_restore recreates the table, a
-- restore into another cluster changes the system identifier: the engine
-- then skips keys at start (KEY_RANGE SKIPPED) and records the new identity.
-- `pending` says why when something else marked the store as behind.
CREATE TABLE recovery (
    id       INT PRIMARY KEY CHECK (id = 1),
    pending  TEXT NOT NULL,
    identity TEXT NOT NULL
);
INSERT INTO recovery (id, pending, identity) VALUES (1, '', '');
