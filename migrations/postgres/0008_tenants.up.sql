-- Tenants of Camunda 8.8's tenant management and the users and clients
-- assigned to them (state.Tenant, state.TenantMember). live = 1 until the
-- tenant is deleted or the membership removed; the rows stay as history,
-- and a tenant id deleted and created again gets a new row (a new key).
-- A membership's key is that of the event that added it. The default
-- tenant '<default>' is built into the engine and has no row. No index
-- besides the keys: a restart reads the live rows of these small tables
-- whole, and an index on live would keep their updates from being HOT.
CREATE TABLE tenants (
    key         BIGINT PRIMARY KEY,
    live        SMALLINT NOT NULL,
    tenant_id   TEXT COLLATE "C" NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE TABLE tenant_members (
    key         BIGINT PRIMARY KEY,
    live        SMALLINT NOT NULL,
    tenant_key  BIGINT NOT NULL,
    tenant_id   TEXT COLLATE "C" NOT NULL,
    entity_type TEXT COLLATE "C" NOT NULL,
    entity_id   TEXT COLLATE "C" NOT NULL
);
