-- Development only: drops every table and all data.
DROP TABLE IF EXISTS incidents, jobs, variables, element_instances, process_definitions, log, meta;
