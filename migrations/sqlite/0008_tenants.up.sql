-- Tenants of Camunda 8.8's tenant management and the users and clients
-- assigned to them (state.Tenant, state.TenantMember). live = 1 until the
-- tenant is deleted or the membership removed; the rows stay as history,
-- and a tenant id deleted and created again gets a new row (a new key).
-- A membership's key is that of the event that added it. The default
-- tenant '<default>' is built into the engine and has no row. A restart
-- reads the live rows of these small tables whole.
CREATE TABLE tenants (
    key         INTEGER PRIMARY KEY,
    live        INTEGER NOT NULL,
    tenant_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;
CREATE TABLE tenant_members (
    key         INTEGER PRIMARY KEY,
    live        INTEGER NOT NULL,
    tenant_key  INTEGER NOT NULL,
    tenant_id   TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL
) STRICT;
