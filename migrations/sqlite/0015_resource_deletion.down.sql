-- Development only: drops the deleted flags of 0015.
ALTER TABLE forms DROP COLUMN deleted;
ALTER TABLE process_definitions DROP COLUMN deleted;
