ALTER TABLE meta DROP COLUMN partitions;
