-- Development only: drops every table and all data.
DROP TABLE IF EXISTS incidents;
DROP TABLE IF EXISTS jobs;
DROP TABLE IF EXISTS variables;
DROP TABLE IF EXISTS element_instances;
DROP TABLE IF EXISTS process_definitions;
DROP TABLE IF EXISTS log;
DROP TABLE IF EXISTS meta;
