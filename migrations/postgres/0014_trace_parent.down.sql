-- Development only: drops the column of 0014 and its data.
ALTER TABLE element_instances DROP COLUMN IF EXISTS trace_parent;
