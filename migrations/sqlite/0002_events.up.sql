-- Timers, messages and message subscriptions. live = 1 while the row
-- belongs in the engine's state; ended rows stay as history.

ALTER TABLE element_instances ADD COLUMN started_by_key TEXT NOT NULL DEFAULT '';

CREATE TABLE timers (
    key                    INTEGER PRIMARY KEY,
    live                   INTEGER NOT NULL,
    element_id             TEXT NOT NULL,
    element_instance_key   INTEGER NOT NULL,
    process_instance_key   INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    due_date               INTEGER NOT NULL,
    repetitions            INTEGER NOT NULL,
    cycle                  TEXT NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX timers_live_due ON timers (due_date) WHERE live = 1;
CREATE INDEX timers_process_instance ON timers (process_instance_key);

CREATE TABLE messages (
    key                  INTEGER PRIMARY KEY,
    live                 INTEGER NOT NULL,
    name                 TEXT NOT NULL,
    correlation_key      TEXT NOT NULL,
    time_to_live         INTEGER NOT NULL,
    deadline             INTEGER NOT NULL,
    message_id           TEXT NOT NULL,
    variables            TEXT NOT NULL,
    process_instance_key INTEGER NOT NULL,
    correlated           TEXT NOT NULL,
    tenant_id            TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX messages_live_name ON messages (name, correlation_key) WHERE live = 1;

CREATE TABLE message_subscriptions (
    key                    INTEGER PRIMARY KEY,
    live                   INTEGER NOT NULL,
    element_id             TEXT NOT NULL,
    element_instance_key   INTEGER NOT NULL,
    process_instance_key   INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    message_name           TEXT NOT NULL,
    correlation_key        TEXT NOT NULL,
    interrupting           INTEGER NOT NULL,
    message_key            INTEGER NOT NULL,
    variables              TEXT NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX message_subscriptions_live_name ON message_subscriptions (message_name, correlation_key) WHERE live = 1;
CREATE INDEX message_subscriptions_process_instance ON message_subscriptions (process_instance_key);

CREATE TABLE message_start_subscriptions (
    key                    INTEGER PRIMARY KEY,
    live                   INTEGER NOT NULL,
    process_definition_key INTEGER NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    start_event_id         TEXT NOT NULL,
    message_name           TEXT NOT NULL,
    message_key            INTEGER NOT NULL,
    correlation_key        TEXT NOT NULL,
    process_instance_key   INTEGER NOT NULL,
    variables              TEXT NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX message_start_subscriptions_live_name ON message_start_subscriptions (message_name) WHERE live = 1;
