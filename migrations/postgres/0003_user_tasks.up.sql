-- Camunda user tasks. live = 1 while the task is open; lifecycle is the
-- kernel's state (state.UserTaskState), state Camunda's. Lists and maps are
-- JSON text; due_time and follow_up_time are the dates as Unix ms (0 when
-- absent or not RFC 3339) for filtering and sorting.
CREATE TABLE user_tasks (
    key                        BIGINT PRIMARY KEY,
    live                       SMALLINT NOT NULL,
    lifecycle                  SMALLINT NOT NULL,
    state                      TEXT COLLATE "C" NOT NULL,
    element_id                 TEXT COLLATE "C" NOT NULL,
    element_instance_key       BIGINT NOT NULL,
    process_instance_key       BIGINT NOT NULL,
    process_definition_key     BIGINT NOT NULL,
    process_definition_version INT NOT NULL,
    bpmn_process_id            TEXT COLLATE "C" NOT NULL,
    assignee                   TEXT COLLATE "C" NOT NULL,
    candidate_groups           TEXT NOT NULL,
    candidate_users            TEXT NOT NULL,
    due_date                   TEXT NOT NULL,
    due_time                   BIGINT NOT NULL,
    follow_up_date             TEXT NOT NULL,
    follow_up_time             BIGINT NOT NULL,
    form_key                   TEXT NOT NULL,
    form_id                    TEXT NOT NULL,
    external_form_reference    TEXT NOT NULL,
    priority                   INT NOT NULL,
    custom_headers             TEXT NOT NULL,
    variables                  TEXT NOT NULL,
    action                     TEXT NOT NULL,
    changed_attributes         TEXT NOT NULL,
    allow_override             SMALLINT NOT NULL,
    creation_time              BIGINT NOT NULL,
    tenant_id                  TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX user_tasks_state ON user_tasks (state);
CREATE INDEX user_tasks_assignee ON user_tasks (assignee) WHERE live = 1;
CREATE INDEX user_tasks_process_instance ON user_tasks (process_instance_key);
