-- Camunda user tasks. live = 1 while the task is open; lifecycle is the
-- kernel's state (state.UserTaskState), state Camunda's. Lists and maps are
-- JSON text; due_time and follow_up_time are the dates as Unix ms (0 when
-- absent or not RFC 3339) for filtering and sorting.
CREATE TABLE user_tasks (
    key                        INTEGER PRIMARY KEY,
    live                       INTEGER NOT NULL,
    lifecycle                  INTEGER NOT NULL,
    state                      TEXT NOT NULL,
    element_id                 TEXT NOT NULL,
    element_instance_key       INTEGER NOT NULL,
    process_instance_key       INTEGER NOT NULL,
    process_definition_key     INTEGER NOT NULL,
    process_definition_version INTEGER NOT NULL,
    bpmn_process_id            TEXT NOT NULL,
    assignee                   TEXT NOT NULL,
    candidate_groups           TEXT NOT NULL,
    candidate_users            TEXT NOT NULL,
    due_date                   TEXT NOT NULL,
    due_time                   INTEGER NOT NULL,
    follow_up_date             TEXT NOT NULL,
    follow_up_time             INTEGER NOT NULL,
    form_key                   TEXT NOT NULL,
    form_id                    TEXT NOT NULL,
    external_form_reference    TEXT NOT NULL,
    priority                   INTEGER NOT NULL,
    custom_headers             TEXT NOT NULL,
    variables                  TEXT NOT NULL,
    action                     TEXT NOT NULL,
    changed_attributes         TEXT NOT NULL,
    allow_override             INTEGER NOT NULL,
    creation_time              INTEGER NOT NULL,
    tenant_id                  TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX user_tasks_state ON user_tasks (state);
CREATE INDEX user_tasks_assignee ON user_tasks (assignee) WHERE live = 1;
CREATE INDEX user_tasks_process_instance ON user_tasks (process_instance_key);
