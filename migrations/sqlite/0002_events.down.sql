-- Development only: drops the tables of 0002 and their data.
DROP TABLE IF EXISTS message_start_subscriptions;
DROP TABLE IF EXISTS message_subscriptions;
DROP TABLE IF EXISTS messages;
DROP TABLE IF EXISTS timers;
ALTER TABLE element_instances DROP COLUMN started_by_key;
