-- Timers, messages and message subscriptions. live = 1 while the row
-- belongs in the engine's state; ended rows stay as history.

ALTER TABLE element_instances ADD COLUMN started_by_key TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE timers (
    key                    BIGINT PRIMARY KEY,
    live                   SMALLINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    element_instance_key   BIGINT NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    due_date               BIGINT NOT NULL,
    repetitions            INT NOT NULL,
    cycle                  TEXT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX timers_live_due ON timers (due_date) WHERE live = 1;
CREATE INDEX timers_process_instance ON timers (process_instance_key);

CREATE TABLE messages (
    key                  BIGINT PRIMARY KEY,
    live                 SMALLINT NOT NULL,
    name                 TEXT COLLATE "C" NOT NULL,
    correlation_key      TEXT COLLATE "C" NOT NULL,
    time_to_live         BIGINT NOT NULL,
    deadline             BIGINT NOT NULL,
    message_id           TEXT COLLATE "C" NOT NULL,
    variables            TEXT NOT NULL,
    process_instance_key BIGINT NOT NULL,
    correlated           TEXT NOT NULL,
    tenant_id            TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX messages_live_name ON messages (name, correlation_key) WHERE live = 1;

CREATE TABLE message_subscriptions (
    key                    BIGINT PRIMARY KEY,
    live                   SMALLINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    element_instance_key   BIGINT NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    message_name           TEXT COLLATE "C" NOT NULL,
    correlation_key        TEXT COLLATE "C" NOT NULL,
    interrupting           SMALLINT NOT NULL,
    message_key            BIGINT NOT NULL,
    variables              TEXT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX message_subscriptions_live_name ON message_subscriptions (message_name, correlation_key) WHERE live = 1;
CREATE INDEX message_subscriptions_process_instance ON message_subscriptions (process_instance_key);

CREATE TABLE message_start_subscriptions (
    key                    BIGINT PRIMARY KEY,
    live                   SMALLINT NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    start_event_id         TEXT COLLATE "C" NOT NULL,
    message_name           TEXT COLLATE "C" NOT NULL,
    message_key            BIGINT NOT NULL,
    correlation_key        TEXT COLLATE "C" NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    variables              TEXT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX message_start_subscriptions_live_name ON message_start_subscriptions (message_name) WHERE live = 1;
