-- Development only: drops the forms of 0012.
DROP TABLE IF EXISTS forms;
