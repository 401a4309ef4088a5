-- Development only: drops the column of 0010 and its data.
ALTER TABLE element_instances DROP COLUMN start_position;
