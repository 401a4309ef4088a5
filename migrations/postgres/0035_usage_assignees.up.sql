-- Retention removes the assignments of removed user tasks (issue 20: the
-- one-hour soak found user_task_assignments growing by one row per assigned
-- task for ever). Usage metrics count distinct assignees, which do not add
-- up like instance counts, so what they need survives as one row per
-- tenant, minute (Unix ms of the minute's start) and assignee: a range
-- counts a removed assignment by its minute, as removed instances are
-- counted by their start minute (usage_removed_instances, migration 24).
-- The rows grow with distinct assignees per minute, not with tasks.
CREATE TABLE usage_assignees (
    tenant_id     TEXT COLLATE "C" NOT NULL,
    assign_minute BIGINT NOT NULL,
    assignee      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, assign_minute, assignee)
);
CREATE INDEX usage_assignees_minute ON usage_assignees (assign_minute);
ALTER TABLE usage_assignees ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON usage_assignees FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
-- Retention finds a removed task's assignments by its key. The column never
-- changes; one entry per assignment.
CREATE INDEX user_task_assignments_task ON user_task_assignments (user_task_key);
