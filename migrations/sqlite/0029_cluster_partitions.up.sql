-- How many partitions the store was created with (issue 21): NULL until
-- the first engine start records cluster.partitions; fixed afterwards.
-- A store that already holds records was run on one partition. SQLite runs
-- one partition only (cmd/wf-engine refuses more), so this is 1 once set.
ALTER TABLE meta ADD COLUMN partitions INTEGER CHECK (partitions >= 1);
UPDATE meta SET partitions = 1 WHERE last_position > 0 OR last_key > 0;
