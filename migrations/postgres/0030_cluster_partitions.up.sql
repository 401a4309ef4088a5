-- How many partitions the store was created with (issue 21): NULL until
-- the first engine start records cluster.partitions; fixed afterwards.
-- A store that already holds records was run on one partition.
ALTER TABLE meta ADD COLUMN partitions INT CHECK (partitions >= 1);
UPDATE meta SET partitions = 1 WHERE last_position > 0 OR last_key > 0;
