-- Browser sessions shared by the engine nodes on one database (api/web,
-- ADR 35): a browser logged in at one node is known at every node and
-- after a failover. The table never holds a session id, only its SHA-256;
-- data is sealed by the engine with a key derived from cluster.secret
-- (AES-GCM), so the database never holds a readable token either. Times
-- are Unix milliseconds of the engine's clock. No tenant_id: the read role
-- is never granted it.
CREATE TABLE web_sessions (
    id_hash   BYTEA PRIMARY KEY,
    created   BIGINT NOT NULL,
    last_used BIGINT NOT NULL,
    data      BYTEA NOT NULL
);
CREATE INDEX web_sessions_last_used ON web_sessions (last_used);
CREATE INDEX web_sessions_created ON web_sessions (created);
