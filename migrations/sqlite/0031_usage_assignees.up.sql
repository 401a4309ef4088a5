-- The same table and index as PostgreSQL's migration 35: retention removes
-- the assignments of removed user tasks and keeps what usage metrics need,
-- one row per tenant, minute (Unix ms of its start) and assignee.
CREATE TABLE usage_assignees (
    tenant_id     TEXT NOT NULL,
    assign_minute INTEGER NOT NULL,
    assignee      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, assign_minute, assignee)
) STRICT;
CREATE INDEX usage_assignees_minute ON usage_assignees (assign_minute);
CREATE INDEX user_task_assignments_task ON user_task_assignments (user_task_key);
