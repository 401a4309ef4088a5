-- Row-level security on every table with a tenant_id column, as defence in
-- depth behind the searches' own tenant condition (issue 13, docs/security.md).
--
-- A FOR SELECT policy admits the rows of the tenants listed in the
-- transaction's wf.tenants setting (comma-separated: tenant ids cannot hold
-- a comma), or every row when it is '*'. Unset or empty, it admits none.
-- The settings are read in scalar subqueries, so that a query evaluates them
-- once (an InitPlan) and not row by row, and '*' is tested first.
--
-- The policies are not forced: the tables' owner, which commits, loads and
-- migrates, is not subject to them. Searches are when pgstore reads them as
-- a read role (pgstore.Options.ReadRole) that is not the owner: each
-- search restricted to tenants does SET LOCAL ROLE and sets wf.tenants in its
-- snapshot first. Without a read role nothing here is enforced. Only SELECT has a policy: the read
-- role is never granted anything but SELECT.

DO $$
DECLARE
    t text;
BEGIN
    -- The tables with tenant_id when this was written, except variables.
    FOREACH t IN ARRAY ARRAY[
        'process_definitions', 'element_instances', 'jobs', 'incidents',
        'timers', 'messages', 'message_subscriptions',
        'message_start_subscriptions', 'user_tasks'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (
            (SELECT current_setting('wf.tenants', true)) = '*'
            OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]))$p$, t);
    END LOOP;
END
$$;

-- A variable's tenant_id is never written (state.VariableRow carries no
-- tenant): a variable belongs to its process instance's tenant. The
-- subquery reads element_instances under that table's own policy, so a
-- variable is visible exactly when its process instance is.
ALTER TABLE variables ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON variables FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR EXISTS (SELECT 1 FROM element_instances p WHERE p.key = variables.process_instance_key));

-- Any other table of this schema with a tenant_id column (added by a
-- migration written at the same time as this one) gets the same policy. A
-- later migration that adds such a table must add its policy too:
-- pgstore's read role check refuses a tenant_id table without row-level
-- security, and the RLS test reads every one.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' AND tb.table_type = 'BASE TABLE'
          AND NOT EXISTS (SELECT 1 FROM pg_policies p
                          WHERE p.schemaname = c.table_schema AND p.tablename = c.table_name AND p.policyname = 'tenant_read')
        ORDER BY c.table_name
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_read ON %I FOR SELECT USING (
            (SELECT current_setting('wf.tenants', true)) = '*'
            OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]))$p$, t);
    END LOOP;
END
$$;
