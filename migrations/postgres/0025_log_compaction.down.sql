DROP TABLE log_anchor;
DROP TABLE log_checkpoints;
