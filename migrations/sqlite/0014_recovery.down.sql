-- Development only: drops the recovery marker of 0014.
DROP TABLE recovery;
