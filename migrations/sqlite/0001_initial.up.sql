-- The log, the state tables and their search indexes. STRICT tables: a
-- value of the wrong type is an error, not a silent conversion. Text
-- compares by bytes (BINARY), as in memstore and PostgreSQL's "C".

CREATE TABLE meta (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_key      INTEGER NOT NULL,
    last_position INTEGER NOT NULL
) STRICT;
INSERT INTO meta (id, last_key, last_position) VALUES (1, 0, 0);

-- One row per record. The value is the record value's JSON.
CREATE TABLE log (
    position         INTEGER PRIMARY KEY,
    source_position  INTEGER NOT NULL,
    key              INTEGER NOT NULL,
    kind             INTEGER NOT NULL,
    value_type       INTEGER NOT NULL,
    intent           INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    timestamp        INTEGER NOT NULL,
    rejection_type   INTEGER NOT NULL,
    rejection_reason BLOB NOT NULL,
    value            BLOB NOT NULL
) STRICT;

CREATE TABLE process_definitions (
    key             INTEGER PRIMARY KEY,
    bpmn_process_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    version_tag     TEXT NOT NULL,
    resource_name   TEXT NOT NULL,
    resource        BLOB NOT NULL,
    checksum        TEXT NOT NULL,
    deployment_key  INTEGER NOT NULL,
    tenant_id       TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX process_definitions_id_version ON process_definitions (bpmn_process_id, version);

-- Element instances; process instances are the rows with flow_scope_key = -1.
-- lifecycle is the kernel's state (state.ElementState), state Camunda's.
CREATE TABLE element_instances (
    key                         INTEGER PRIMARY KEY,
    lifecycle                   INTEGER NOT NULL,
    state                       TEXT NOT NULL,
    process_instance_key        INTEGER NOT NULL,
    process_definition_key      INTEGER NOT NULL,
    bpmn_process_id             TEXT NOT NULL,
    version                     INTEGER NOT NULL,
    element_id                  TEXT NOT NULL,
    element_type                TEXT NOT NULL,
    event_type                  TEXT NOT NULL,
    flow_scope_key              INTEGER NOT NULL,
    parent_process_instance_key INTEGER NOT NULL,
    parent_element_instance_key INTEGER NOT NULL,
    active_children             INTEGER NOT NULL,
    waiting                     TEXT NOT NULL,
    job_key                     INTEGER NOT NULL,
    incident_key                INTEGER NOT NULL,
    start_time                  INTEGER NOT NULL,
    end_time                    INTEGER NOT NULL,
    tenant_id                   TEXT NOT NULL DEFAULT '<default>'
) STRICT;
-- Every row version pays for every index (a state change is never a HOT
-- update), so the indexes are few: the process instance's elements, an
-- element id, the live rows (what Load and "state = ACTIVE" read) and, for
-- process instances only, their state, process id and definition.
CREATE INDEX element_instances_process_instance ON element_instances (process_instance_key);
CREATE INDEX element_instances_element_id ON element_instances (element_id);
CREATE INDEX element_instances_active ON element_instances (key) WHERE state = 'ACTIVE';
CREATE INDEX process_instances_state ON element_instances (state) WHERE flow_scope_key = -1;
CREATE INDEX process_instances_process_id ON element_instances (bpmn_process_id) WHERE flow_scope_key = -1;
CREATE INDEX process_instances_definition ON element_instances (process_definition_key) WHERE flow_scope_key = -1;

CREATE TABLE variables (
    key                  INTEGER PRIMARY KEY,
    scope_key            INTEGER NOT NULL,
    process_instance_key INTEGER NOT NULL,
    name                 TEXT NOT NULL,
    value                TEXT NOT NULL,
    tenant_id            TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX variables_scope_name ON variables (scope_key, name);
CREATE INDEX variables_name ON variables (name);
CREATE INDEX variables_process_instance ON variables (process_instance_key);

-- Jobs; lifecycle is the kernel's state (state.JobState), state Camunda's.
CREATE TABLE jobs (
    key                        INTEGER PRIMARY KEY,
    lifecycle                  INTEGER NOT NULL,
    state                      TEXT NOT NULL,
    type                       TEXT NOT NULL,
    worker                     TEXT NOT NULL,
    retries                    INTEGER NOT NULL,
    retry_backoff              INTEGER NOT NULL,
    recurring_time             INTEGER NOT NULL,
    deadline                   INTEGER NOT NULL,
    timeout                    INTEGER NOT NULL,
    error_message              TEXT NOT NULL,
    error_code                 TEXT NOT NULL,
    custom_headers             TEXT NOT NULL,
    variables                  TEXT NOT NULL,
    element_id                 TEXT NOT NULL,
    element_instance_key       INTEGER NOT NULL,
    bpmn_process_id            TEXT NOT NULL,
    process_definition_version INTEGER NOT NULL,
    process_definition_key     INTEGER NOT NULL,
    process_instance_key       INTEGER NOT NULL,
    tenant_id                  TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX jobs_state_type ON jobs (state, type);
CREATE INDEX jobs_process_instance ON jobs (process_instance_key);

CREATE TABLE incidents (
    key                    INTEGER PRIMARY KEY,
    state                  TEXT NOT NULL,
    error_type             TEXT NOT NULL,
    error_message          TEXT NOT NULL,
    bpmn_process_id        TEXT NOT NULL,
    process_definition_key INTEGER NOT NULL,
    process_instance_key   INTEGER NOT NULL,
    element_id             TEXT NOT NULL,
    element_instance_key   INTEGER NOT NULL,
    job_key                INTEGER NOT NULL,
    variable_scope_key     INTEGER NOT NULL,
    creation_time          INTEGER NOT NULL,
    tenant_id              TEXT NOT NULL DEFAULT '<default>'
) STRICT;
CREATE INDEX incidents_state ON incidents (state);
CREATE INDEX incidents_process_instance ON incidents (process_instance_key);
