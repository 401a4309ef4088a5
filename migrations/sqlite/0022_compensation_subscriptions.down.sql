-- Development only: drops the compensation subscriptions.
DROP TABLE IF EXISTS compensation_subscriptions;
