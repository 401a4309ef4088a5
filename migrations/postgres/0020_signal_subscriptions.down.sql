-- Development only: drops the signal subscriptions.
DROP TABLE IF EXISTS signal_subscriptions;
