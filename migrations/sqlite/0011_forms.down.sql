-- Development only: drops the forms of 0011.
DROP TABLE IF EXISTS forms;
