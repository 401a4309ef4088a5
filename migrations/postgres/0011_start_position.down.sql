-- Development only: drops the column of 0011 and its data.
ALTER TABLE element_instances DROP COLUMN IF EXISTS start_position;
