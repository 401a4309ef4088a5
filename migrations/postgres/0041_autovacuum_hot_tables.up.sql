-- Vacuum the hot state tables after 2 % of their rows changed instead of
-- PostgreSQL's default 20 % (ADR 36). Their partial indexes of unfinished
-- rows (element_instances_unfinished, jobs_unfinished, the open process
-- instance indexes) keep a dead entry for every row that finished until
-- vacuum removes it, and a scan for ACTIVE or CREATED rows steps over all
-- of them: at 10M finished instances, never vacuumed, the first page of
-- ACTIVE element instances read 15,000 index pages (130-190 ms; a few ms
-- after VACUUM). With the default a 10M-row table gathers 2M dead rows
-- before autovacuum starts. An operator's own values of these two settings
-- on these tables are replaced: set them again after migrating.
ALTER TABLE element_instances SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE variables SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE user_tasks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE incidents SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
