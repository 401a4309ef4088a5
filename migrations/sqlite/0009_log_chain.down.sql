ALTER TABLE log_segments DROP COLUMN hash;
