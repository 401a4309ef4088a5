-- Cross-partition messages (issue 21 item 3, docs/scaling.md "Outbox and
-- exactly-once apply"). Rows exist only in a store of several partitions;
-- a store of one partition never writes them.
--
-- partition_inbox: per target partition and source partition, the highest
-- position of the source's log whose inter-partition command the target
-- applied; written in the batch of the command's effects (PARTITION_INBOX
-- APPLIED), so a command at or below it is never applied again. key is
-- (target << 51) | source, in the target's key range.
CREATE TABLE partition_inbox (
    key      BIGINT PRIMARY KEY,
    position BIGINT NOT NULL
);

-- remote_message_subscriptions: on the partition of a message's
-- correlation key, the message subscriptions of instances that run on
-- other partitions. key is the subscription's key on the instance's
-- partition; partition the message partition that keeps the row.
-- message_key is the message sent to the subscription and not yet
-- answered (0: open). live = 1 until the instance's partition closed it.
CREATE TABLE remote_message_subscriptions (
    key                    BIGINT PRIMARY KEY,
    live                   SMALLINT NOT NULL,
    partition              INTEGER NOT NULL,
    message_key            BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    element_instance_key   BIGINT NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    process_definition_key BIGINT NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    message_name           TEXT COLLATE "C" NOT NULL,
    correlation_key        TEXT COLLATE "C" NOT NULL,
    interrupting           SMALLINT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL
);
CREATE INDEX remote_message_subscriptions_live ON remote_message_subscriptions (partition, key) WHERE live = 1;
ALTER TABLE remote_message_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON remote_message_subscriptions FOR SELECT USING (
    (SELECT current_setting('wf.tenants', true)) = '*'
    OR tenant_id = ANY ((SELECT string_to_array(current_setting('wf.tenants', true), ','))::text[]));
