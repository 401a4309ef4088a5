-- The log, the state tables and their search indexes. Text columns that
-- searches filter or sort on are COLLATE "C": byte order, as in memstore and
-- SQLite, whatever the database's default collation.

CREATE TABLE meta (
    id            INT PRIMARY KEY CHECK (id = 1),
    last_key      BIGINT NOT NULL,
    last_position BIGINT NOT NULL
);
INSERT INTO meta (id, last_key, last_position) VALUES (1, 0, 0);

-- One row per record. The value is the record value's JSON.
CREATE TABLE log (
    position         BIGINT PRIMARY KEY,
    source_position  BIGINT NOT NULL,
    key              BIGINT NOT NULL,
    kind             SMALLINT NOT NULL,
    value_type       INT NOT NULL,
    intent           INT NOT NULL,
    version          INT NOT NULL,
    timestamp        BIGINT NOT NULL,
    rejection_type   SMALLINT NOT NULL,
    rejection_reason BYTEA NOT NULL,
    value            BYTEA NOT NULL
);

CREATE TABLE process_definitions (
    key             BIGINT PRIMARY KEY,
    bpmn_process_id TEXT COLLATE "C" NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    version         INT NOT NULL,
    version_tag     TEXT COLLATE "C" NOT NULL,
    resource_name   TEXT COLLATE "C" NOT NULL,
    resource        BYTEA NOT NULL,
    checksum        TEXT NOT NULL,
    deployment_key  BIGINT NOT NULL,
    tenant_id       TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX process_definitions_id_version ON process_definitions (bpmn_process_id, version);

-- Element instances; process instances are the rows with flow_scope_key = -1.
-- lifecycle is the kernel's state (state.ElementState), state Camunda's.
CREATE TABLE element_instances (
    key                         BIGINT PRIMARY KEY,
    lifecycle                   SMALLINT NOT NULL,
    state                       TEXT COLLATE "C" NOT NULL,
    process_instance_key        BIGINT NOT NULL,
    process_definition_key      BIGINT NOT NULL,
    bpmn_process_id             TEXT COLLATE "C" NOT NULL,
    version                     INT NOT NULL,
    element_id                  TEXT COLLATE "C" NOT NULL,
    element_type                TEXT COLLATE "C" NOT NULL,
    event_type                  TEXT COLLATE "C" NOT NULL,
    flow_scope_key              BIGINT NOT NULL,
    parent_process_instance_key BIGINT NOT NULL,
    parent_element_instance_key BIGINT NOT NULL,
    active_children             INT NOT NULL,
    waiting                     TEXT NOT NULL,
    job_key                     BIGINT NOT NULL,
    incident_key                BIGINT NOT NULL,
    start_time                  BIGINT NOT NULL,
    end_time                    BIGINT NOT NULL,
    tenant_id                   TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
) WITH (fillfactor = 80);
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
    key                  BIGINT PRIMARY KEY,
    scope_key            BIGINT NOT NULL,
    process_instance_key BIGINT NOT NULL,
    name                 TEXT COLLATE "C" NOT NULL,
    value                TEXT COLLATE "C" NOT NULL,
    tenant_id            TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX variables_scope_name ON variables (scope_key, name);
CREATE INDEX variables_name ON variables (name);
CREATE INDEX variables_process_instance ON variables (process_instance_key);

-- Jobs; lifecycle is the kernel's state (state.JobState), state Camunda's.
CREATE TABLE jobs (
    key                        BIGINT PRIMARY KEY,
    lifecycle                  SMALLINT NOT NULL,
    state                      TEXT COLLATE "C" NOT NULL,
    type                       TEXT COLLATE "C" NOT NULL,
    worker                     TEXT COLLATE "C" NOT NULL,
    retries                    INT NOT NULL,
    retry_backoff              BIGINT NOT NULL,
    recurring_time             BIGINT NOT NULL,
    deadline                   BIGINT NOT NULL,
    timeout                    BIGINT NOT NULL,
    error_message              TEXT COLLATE "C" NOT NULL,
    error_code                 TEXT COLLATE "C" NOT NULL,
    custom_headers             TEXT NOT NULL,
    variables                  TEXT NOT NULL,
    element_id                 TEXT COLLATE "C" NOT NULL,
    element_instance_key       BIGINT NOT NULL,
    bpmn_process_id            TEXT COLLATE "C" NOT NULL,
    process_definition_version INT NOT NULL,
    process_definition_key     BIGINT NOT NULL,
    process_instance_key       BIGINT NOT NULL,
    tenant_id                  TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
) WITH (fillfactor = 80);
CREATE INDEX jobs_state_type ON jobs (state, type);
CREATE INDEX jobs_process_instance ON jobs (process_instance_key);

CREATE TABLE incidents (
    key                    BIGINT PRIMARY KEY,
    state                  TEXT COLLATE "C" NOT NULL,
    error_type             TEXT COLLATE "C" NOT NULL,
    error_message          TEXT COLLATE "C" NOT NULL,
    bpmn_process_id        TEXT COLLATE "C" NOT NULL,
    process_definition_key BIGINT NOT NULL,
    process_instance_key   BIGINT NOT NULL,
    element_id             TEXT COLLATE "C" NOT NULL,
    element_instance_key   BIGINT NOT NULL,
    job_key                BIGINT NOT NULL,
    variable_scope_key     BIGINT NOT NULL,
    creation_time          BIGINT NOT NULL,
    tenant_id              TEXT COLLATE "C" NOT NULL DEFAULT '<default>'
);
CREATE INDEX incidents_state ON incidents (state);
CREATE INDEX incidents_process_instance ON incidents (process_instance_key);
