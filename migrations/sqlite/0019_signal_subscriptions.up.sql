-- Signal subscriptions (issue 19): catch, boundary and start events waiting
-- for a signal. catch_event_instance_key and process_instance_key are -1 for
-- a start event's subscription (a process definition's). live = 1 while the
-- subscription is open; deleted rows stay as history.
CREATE TABLE signal_subscriptions (
    key                      INTEGER PRIMARY KEY,
    live                     INTEGER NOT NULL,
    process_definition_key   INTEGER NOT NULL,
    bpmn_process_id          TEXT NOT NULL,
    catch_event_id           TEXT NOT NULL,
    catch_event_instance_key INTEGER NOT NULL,
    process_instance_key     INTEGER NOT NULL,
    signal_name              TEXT NOT NULL,
    interrupting             INTEGER NOT NULL,
    tenant_id                TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX signal_subscriptions_live ON signal_subscriptions (key) WHERE live = 1;
