-- Back to migration 38's counts: by definition, element, tenant and
-- partition, without the process instance's state, filled again from the
-- rows (element_counts_migrated stays as it is).
LOCK TABLE element_instances IN SHARE ROW EXCLUSIVE MODE;
DROP TRIGGER IF EXISTS element_counts_delete ON element_instances;
DROP FUNCTION IF EXISTS element_counts_delete();
DROP TABLE IF EXISTS element_counts;
CREATE TABLE element_counts (
    process_definition_key BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL,
    partition_id           INTEGER NOT NULL,
    instances              BIGINT NOT NULL,
    active                 BIGINT NOT NULL,
    canceled               BIGINT NOT NULL,
    incidents              BIGINT NOT NULL,
    completed              BIGINT NOT NULL,
    PRIMARY KEY (process_definition_key, element_id, tenant_id, partition_id)
);
ALTER TABLE element_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON element_counts FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
CREATE FUNCTION element_counts_delete() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO element_counts AS c (process_definition_key, element_id, tenant_id, partition_id, instances, active, canceled, incidents, completed)
    SELECT process_definition_key, element_id, tenant_id, -1 - (key >> 51)::integer, -count(*),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
        -count(*) FILTER (WHERE state = 'TERMINATED'),
        -count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
        -count(*) FILTER (WHERE state = 'COMPLETED')
    FROM element_counts_old WHERE flow_scope_key <> -1
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (process_definition_key, element_id, tenant_id, partition_id) DO UPDATE SET
        instances = c.instances + excluded.instances, active = c.active + excluded.active,
        canceled = c.canceled + excluded.canceled, incidents = c.incidents + excluded.incidents,
        completed = c.completed + excluded.completed;
    DELETE FROM element_counts_migrated m USING element_counts_old o
    WHERE o.flow_scope_key = -1 AND m.process_instance_key = o.key;
    RETURN NULL;
END
$$;
INSERT INTO element_counts (process_definition_key, element_id, tenant_id, partition_id, instances, active, canceled, incidents, completed)
SELECT process_definition_key, element_id, tenant_id, (key >> 51)::integer, count(*),
    count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key <= 0),
    count(*) FILTER (WHERE state = 'TERMINATED'),
    count(*) FILTER (WHERE state = 'ACTIVE' AND incident_key > 0),
    count(*) FILTER (WHERE state = 'COMPLETED')
FROM element_instances WHERE flow_scope_key <> -1
GROUP BY 1, 2, 3, 4;
CREATE TRIGGER element_counts_delete AFTER DELETE ON element_instances
    REFERENCING OLD TABLE AS element_counts_old FOR EACH STATEMENT EXECUTE FUNCTION element_counts_delete();
