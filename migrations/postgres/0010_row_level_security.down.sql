-- Drops the tenant_read policies of this schema and turns row-level
-- security off on their tables.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT tablename FROM pg_policies
        WHERE schemaname = current_schema() AND policyname = 'tenant_read'
        ORDER BY tablename
    LOOP
        EXECUTE format('DROP POLICY tenant_read ON %I', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END
$$;
