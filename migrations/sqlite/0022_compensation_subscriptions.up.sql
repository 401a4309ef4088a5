-- Compensation subscriptions (issue 19): completed activities a
-- compensation throw or end event can compensate, as Zeebe's
-- COMPENSATION_SUBSCRIPTION. live = 1 until the handler completed or the
-- process instance ended; ended rows stay as history.
CREATE TABLE compensation_subscriptions (
    key                               INTEGER PRIMARY KEY,
    live                              INTEGER NOT NULL,
    process_instance_key              INTEGER NOT NULL,
    process_definition_key            INTEGER NOT NULL,
    compensable_activity_id           TEXT NOT NULL,
    compensable_activity_scope_key    INTEGER NOT NULL,
    compensable_activity_instance_key INTEGER NOT NULL,
    throw_event_id                    TEXT NOT NULL,
    throw_event_instance_key          INTEGER NOT NULL,
    compensation_handler_id           TEXT NOT NULL,
    compensation_handler_instance_key INTEGER NOT NULL,
    tenant_id                         TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX compensation_subscriptions_live ON compensation_subscriptions (key) WHERE live = 1;
