-- The W3C traceparent of the request that created a process instance
-- (state.ElementInstance.TraceParent, docs/adr/0015): the engine hands it to
-- the workers of the instance's jobs. Empty for other element instances and
-- for rows written before.
ALTER TABLE element_instances ADD COLUMN trace_parent TEXT NOT NULL DEFAULT '';
