-- Development only: drops the column of 0013 and its data.
ALTER TABLE element_instances DROP COLUMN trace_parent;
