-- Development only: drops the recovery marker of 0015.
DROP TABLE recovery;
