DROP TABLE log_segments;
