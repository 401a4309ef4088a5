DROP TABLE remote_message_subscriptions;
DROP TABLE partition_inbox;
