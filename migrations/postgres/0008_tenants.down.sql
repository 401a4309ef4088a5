-- Development only: drops the tenants and their members.
DROP TABLE IF EXISTS tenant_members;
DROP TABLE IF EXISTS tenants;
