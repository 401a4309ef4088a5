-- Development only: drops the tables of 0002 and their data.
DROP TABLE IF EXISTS message_start_subscriptions, message_subscriptions, messages, timers;
ALTER TABLE element_instances DROP COLUMN IF EXISTS started_by_key;
