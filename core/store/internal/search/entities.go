package search

import (
	"encoding/json"
	"fmt"

	"github.com/example/wf-engine/core/store"
)

// The searchable entities. Exprs name the columns of the tables that
// migrations/ create; memstore reads the same fields through Get.

func ms(t interface{ UnixMilli() int64 }, zero bool) int64 {
	if zero {
		return 0
	}
	return t.UnixMilli()
}

var elementStates = []string{store.StateActive, store.StateCompleted, store.StateTerminated}

// definitionIsLatest is true for the highest version of a process id within
// its tenant.
const definitionIsLatest = "(version = (SELECT max(v.version) FROM process_definitions v " +
	"WHERE v.bpmn_process_id = process_definitions.bpmn_process_id AND v.tenant_id = process_definitions.tenant_id AND v.deleted = 0))"

// ProcessDefinitions are the deployed process versions that were not
// deleted.
var ProcessDefinitions = (&Entity[store.ProcessDefinition]{
	Name:    "process definitions",
	From:    "process_definitions",
	Where:   "deleted = 0",
	Columns: "key, bpmn_process_id, name, version, version_tag, resource_name, tenant_id, " + definitionIsLatest,
	Scan: func(scan func(...any) error) (store.ProcessDefinition, error) {
		var r store.ProcessDefinition
		err := scan(&r.ProcessDefinitionKey, &r.ProcessDefinitionID, &r.Name, &r.Version, &r.VersionTag, &r.ResourceName, &r.TenantID, &r.Latest)
		return r, err
	},
	Key: "processDefinitionKey",
	Fields: []*Field[store.ProcessDefinition]{
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "key", Get: func(r *store.ProcessDefinition) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.ProcessDefinition) any { return r.ProcessDefinitionID }},
		{Name: "name", Kind: KindString, Expr: "name", Optional: true, Get: func(r *store.ProcessDefinition) any { return r.Name }},
		{Name: "version", Kind: KindInt, Expr: "version", Get: func(r *store.ProcessDefinition) any { return int64(r.Version) }},
		{Name: "versionTag", Kind: KindString, Expr: "version_tag", Optional: true, Get: func(r *store.ProcessDefinition) any { return r.VersionTag }},
		{Name: "resourceName", Kind: KindString, Expr: "resource_name", Get: func(r *store.ProcessDefinition) any { return r.ResourceName }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.ProcessDefinition) any { return r.TenantID }},
		{Name: "isLatestVersion", Kind: KindBool, Expr: definitionIsLatest, Get: func(r *store.ProcessDefinition) any { return r.Latest }},
	},
}).index()

// processHasIncident is true while an element of the process instance has
// an open incident.
const processHasIncident = "(EXISTS (SELECT 1 FROM incidents WHERE incidents.process_instance_key = element_instances.key AND incidents.state = 'ACTIVE'))"

// A process instance's definition name (its process id when it has none)
// and version tag, read from its definition by key (the primary key), and
// whether a job of it failed with retries left (through the jobs' index on
// the process instance, row by row: the LIMIT keeps PostgreSQL from
// hashing every failed job of the table instead). Camunda 8.8's
// processDefinitionName, processDefinitionVersionTag and hasRetriesLeft.
const (
	processDefinitionName = "COALESCE((SELECT CASE WHEN d.name <> '' THEN d.name ELSE d.bpmn_process_id END FROM process_definitions d " +
		"WHERE d.key = element_instances.process_definition_key), element_instances.bpmn_process_id)"
	processVersionTag     = "COALESCE((SELECT d.version_tag FROM process_definitions d WHERE d.key = element_instances.process_definition_key), '')"
	processHasRetriesLeft = "((SELECT count(*) FROM (SELECT 1 FROM jobs j WHERE j.process_instance_key = element_instances.key " +
		"AND j.state = 'FAILED' AND j.retries > 0 LIMIT 1) AS failed) > 0)"
	// processTags are the instance's tags, a JSON array, by its key.
	processTags = "COALESCE((SELECT t.tags FROM process_instance_tags t WHERE t.process_instance_key = element_instances.key), '[]')"
)

// ProcessInstances are the element instances of type PROCESS.
var ProcessInstances = (&Entity[store.ProcessInstance]{
	Name:  "process instances",
	From:  "element_instances",
	Where: "flow_scope_key = -1",
	Columns: "key, bpmn_process_id, process_definition_key, version, instance_state, start_time, end_time, " +
		"parent_process_instance_key, parent_element_instance_key, " + processHasIncident + ", tenant_id, start_position, " +
		processDefinitionName + ", " + processVersionTag + ", " + processHasRetriesLeft + ", " + processTags,
	Scan: func(scan func(...any) error) (store.ProcessInstance, error) {
		var r store.ProcessInstance
		var start, end int64
		var tags string
		err := scan(&r.ProcessInstanceKey, &r.ProcessDefinitionID, &r.ProcessDefinitionKey, &r.ProcessDefinitionVersion, &r.State,
			&start, &end, &r.ParentProcessInstanceKey, &r.ParentElementInstanceKey, &r.HasIncident, &r.TenantID, &r.StartPosition,
			&r.ProcessDefinitionName, &r.ProcessDefinitionVersionTag, &r.HasRetriesLeft, &tags)
		r.StartDate, r.EndDate = store.Millis(start), store.Millis(end)
		if err == nil && tags != "[]" {
			err = json.Unmarshal([]byte(tags), &r.Tags)
		}
		return r, err
	},
	Key: "processInstanceKey",
	Fields: []*Field[store.ProcessInstance]{
		{Name: "processInstanceKey", Kind: KindKey, Expr: "key", Get: func(r *store.ProcessInstance) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.ProcessInstance) any { return r.ProcessDefinitionID }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.ProcessInstance) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionVersion", Kind: KindInt, Expr: "version", Get: func(r *store.ProcessInstance) any { return int64(r.ProcessDefinitionVersion) }},
		{Name: "state", Kind: KindState, Expr: "instance_state", Enum: elementStates, Get: func(r *store.ProcessInstance) any { return r.State }},
		{Name: "startDate", Kind: KindDate, Expr: "start_time", Get: func(r *store.ProcessInstance) any { return ms(r.StartDate, r.StartDate.IsZero()) }},
		{Name: "endDate", Kind: KindDate, Expr: "end_time", Optional: true, Get: func(r *store.ProcessInstance) any { return ms(r.EndDate, r.EndDate.IsZero()) }},
		{Name: "parentProcessInstanceKey", Kind: KindKey, Expr: "parent_process_instance_key", Optional: true, Get: func(r *store.ProcessInstance) any { return r.ParentProcessInstanceKey }},
		{Name: "parentElementInstanceKey", Kind: KindKey, Expr: "parent_element_instance_key", Optional: true, Get: func(r *store.ProcessInstance) any { return r.ParentElementInstanceKey }},
		{Name: "hasIncident", Kind: KindBool, Expr: processHasIncident, Get: func(r *store.ProcessInstance) any { return r.HasIncident }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.ProcessInstance) any { return r.TenantID }},
		{Name: "processDefinitionName", Kind: KindString, Expr: processDefinitionName, Get: func(r *store.ProcessInstance) any { return r.ProcessDefinitionName }},
		{Name: "processDefinitionVersionTag", Kind: KindString, Expr: processVersionTag, Optional: true, Get: func(r *store.ProcessInstance) any { return r.ProcessDefinitionVersionTag }},
		{Name: "hasRetriesLeft", Kind: KindBool, Expr: processHasRetriesLeft, Get: func(r *store.ProcessInstance) any { return r.HasRetriesLeft }},
		{Name: "tags", Kind: KindList, Expr: processTags, Get: func(r *store.ProcessInstance) any { return r.Tags }},
	},
	Variables: map[store.VariableScope]*VarLink[store.ProcessInstance]{
		store.VariablesOfInstance: {Column: "process_instance_key", Outer: "element_instances.key",
			Key: func(r *store.ProcessInstance) int64 { return r.ProcessInstanceKey }},
	},
	Elements: &VarLink[store.ProcessInstance]{Column: "process_instance_key", Outer: "element_instances.key",
		Key: func(r *store.ProcessInstance) int64 { return r.ProcessInstanceKey }},
	Incidents: &VarLink[store.ProcessInstance]{Column: "process_instance_key", Outer: "element_instances.key",
		Key: func(r *store.ProcessInstance) int64 { return r.ProcessInstanceKey }},
}).index()

// ElementInstances are all element instances, process instances included.
var ElementInstances = (&Entity[store.ElementInstance]{
	Name: "element instances",
	From: "element_instances",
	Columns: "key, process_instance_key, process_definition_key, bpmn_process_id, element_id, element_type, state, " +
		"start_time, end_time, incident_key, flow_scope_key, tenant_id",
	Scan: func(scan func(...any) error) (store.ElementInstance, error) {
		var r store.ElementInstance
		var start, end int64
		err := scan(&r.ElementInstanceKey, &r.ProcessInstanceKey, &r.ProcessDefinitionKey, &r.ProcessDefinitionID, &r.ElementID, &r.Type, &r.State,
			&start, &end, &r.IncidentKey, &r.ElementInstanceScopeKey, &r.TenantID)
		r.StartDate, r.EndDate = store.Millis(start), store.Millis(end)
		r.HasIncident = r.IncidentKey > 0
		return r, err
	},
	Key: "elementInstanceKey",
	Fields: []*Field[store.ElementInstance]{
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "key", Get: func(r *store.ElementInstance) any { return r.ElementInstanceKey }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.ElementInstance) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.ElementInstance) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.ElementInstance) any { return r.ProcessDefinitionID }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.ElementInstance) any { return r.ElementID }},
		{Name: "type", Kind: KindString, Expr: "element_type", Get: func(r *store.ElementInstance) any { return r.Type }},
		{Name: "state", Kind: KindState, Expr: "state", Enum: elementStates, Get: func(r *store.ElementInstance) any { return r.State }},
		{Name: "startDate", Kind: KindDate, Expr: "start_time", Get: func(r *store.ElementInstance) any { return ms(r.StartDate, r.StartDate.IsZero()) }},
		{Name: "endDate", Kind: KindDate, Expr: "end_time", Optional: true, Get: func(r *store.ElementInstance) any { return ms(r.EndDate, r.EndDate.IsZero()) }},
		{Name: "incidentKey", Kind: KindKey, Expr: "incident_key", Optional: true, Get: func(r *store.ElementInstance) any { return r.IncidentKey }},
		{Name: "hasIncident", Kind: KindBool, Expr: "(incident_key > 0)", Get: func(r *store.ElementInstance) any { return r.HasIncident }},
		{Name: "elementInstanceScopeKey", Kind: KindKey, Expr: "flow_scope_key", Optional: true, Get: func(r *store.ElementInstance) any { return r.ElementInstanceScopeKey }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.ElementInstance) any { return r.TenantID }},
	},
}).index()

// variableTenant is a variable's tenant: its process instance's, or ""
// when the instance is unknown. The variables table's own tenant_id column
// is not written (state.VariableRow carries no tenant), so it would put every
// variable in the default tenant.
const variableTenant = "COALESCE((SELECT p.tenant_id FROM element_instances p WHERE p.key = variables.process_instance_key), '')"

// Variables are the variables of every scope, ended scopes included. A
// variable belongs to its process instance's tenant.
var Variables = (&Entity[store.Variable]{
	Name:    "variables",
	From:    "variables",
	Columns: "key, name, value, scope_key, process_instance_key, " + variableTenant,
	InTenants: func(list string) string {
		return "EXISTS (SELECT 1 FROM element_instances p WHERE p.key = variables.process_instance_key AND p.tenant_id IN " + list + ")"
	},
	Scan: func(scan func(...any) error) (store.Variable, error) {
		var r store.Variable
		err := scan(&r.VariableKey, &r.Name, &r.Value, &r.ScopeKey, &r.ProcessInstanceKey, &r.TenantID)
		return r, err
	},
	Key: "variableKey",
	Fields: []*Field[store.Variable]{
		{Name: "variableKey", Kind: KindKey, Expr: "key", Get: func(r *store.Variable) any { return r.VariableKey }},
		{Name: "name", Kind: KindString, Expr: "name", Get: func(r *store.Variable) any { return r.Name }},
		{Name: "value", Kind: KindString, Expr: "value", Digest: true, Get: func(r *store.Variable) any { return r.Value }},
		{Name: "scopeKey", Kind: KindKey, Expr: "scope_key", Get: func(r *store.Variable) any { return r.ScopeKey }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.Variable) any { return r.ProcessInstanceKey }},
		{Name: "tenantId", Kind: KindString, Expr: variableTenant, Get: func(r *store.Variable) any { return r.TenantID }},
	},
}).index()

var jobStates = []string{store.JobStateCreated, store.JobStateFailed, store.JobStateErrorThrown, store.JobStateCompleted, store.JobStateCanceled}

// Jobs are all jobs, finished ones included.
var Jobs = (&Entity[store.Job]{
	Name: "jobs",
	From: "jobs",
	Columns: "key, type, state, retries, worker, process_instance_key, process_definition_key, bpmn_process_id, " +
		"element_instance_key, element_id, deadline, error_message, error_code, custom_headers, tenant_id",
	Scan: func(scan func(...any) error) (store.Job, error) {
		var r store.Job
		var deadline int64
		var headers string
		if err := scan(&r.JobKey, &r.Type, &r.State, &r.Retries, &r.Worker, &r.ProcessInstanceKey, &r.ProcessDefinitionKey, &r.ProcessDefinitionID,
			&r.ElementInstanceKey, &r.ElementID, &deadline, &r.ErrorMessage, &r.ErrorCode, &headers, &r.TenantID); err != nil {
			return r, err
		}
		r.Deadline = store.Millis(deadline)
		if err := json.Unmarshal([]byte(headers), &r.CustomHeaders); err != nil {
			return r, fmt.Errorf("decode custom headers of job %d: %w", r.JobKey, err)
		}
		return r, nil
	},
	Key: "jobKey",
	Fields: []*Field[store.Job]{
		{Name: "jobKey", Kind: KindKey, Expr: "key", Get: func(r *store.Job) any { return r.JobKey }},
		{Name: "type", Kind: KindString, Expr: "type", Get: func(r *store.Job) any { return r.Type }},
		{Name: "state", Kind: KindState, Expr: "state", Enum: jobStates, Get: func(r *store.Job) any { return r.State }},
		{Name: "retries", Kind: KindInt, Expr: "retries", Get: func(r *store.Job) any { return int64(r.Retries) }},
		{Name: "worker", Kind: KindString, Expr: "worker", Optional: true, Get: func(r *store.Job) any { return r.Worker }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.Job) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.Job) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.Job) any { return r.ProcessDefinitionID }},
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "element_instance_key", Get: func(r *store.Job) any { return r.ElementInstanceKey }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.Job) any { return r.ElementID }},
		{Name: "deadline", Kind: KindDate, Expr: "deadline", Optional: true, Get: func(r *store.Job) any { return ms(r.Deadline, r.Deadline.IsZero()) }},
		{Name: "errorMessage", Kind: KindString, Expr: "error_message", Optional: true, Get: func(r *store.Job) any { return r.ErrorMessage }},
		{Name: "errorCode", Kind: KindString, Expr: "error_code", Optional: true, Get: func(r *store.Job) any { return r.ErrorCode }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.Job) any { return r.TenantID }},
	},
}).index()

// Incidents are all incidents, resolved ones included.
var Incidents = (&Entity[store.Incident]{
	Name: "incidents",
	From: "incidents",
	Columns: "key, process_instance_key, process_definition_key, bpmn_process_id, error_type, error_message, " +
		"element_id, element_instance_key, job_key, state, creation_time, tenant_id, " + incidentErrorHash,
	Scan: func(scan func(...any) error) (store.Incident, error) {
		var r store.Incident
		var created int64
		err := scan(&r.IncidentKey, &r.ProcessInstanceKey, &r.ProcessDefinitionKey, &r.ProcessDefinitionID, &r.ErrorType, &r.ErrorMessage,
			&r.ElementID, &r.ElementInstanceKey, &r.JobKey, &r.State, &created, &r.TenantID, &r.ErrorMessageHash)
		r.CreationTime = store.Millis(created)
		return r, err
	},
	Key: "incidentKey",
	Fields: []*Field[store.Incident]{
		{Name: "incidentKey", Kind: KindKey, Expr: "key", Get: func(r *store.Incident) any { return r.IncidentKey }},
		{Name: "processInstanceKey", Kind: KindKey, Expr: "process_instance_key", Get: func(r *store.Incident) any { return r.ProcessInstanceKey }},
		{Name: "processDefinitionKey", Kind: KindKey, Expr: "process_definition_key", Get: func(r *store.Incident) any { return r.ProcessDefinitionKey }},
		{Name: "processDefinitionId", Kind: KindString, Expr: "bpmn_process_id", Get: func(r *store.Incident) any { return r.ProcessDefinitionID }},
		{Name: "errorType", Kind: KindString, Expr: "error_type", Get: func(r *store.Incident) any { return r.ErrorType }},
		{Name: "errorMessage", Kind: KindString, Expr: "error_message", Optional: true, Get: func(r *store.Incident) any { return r.ErrorMessage }},
		{Name: "elementId", Kind: KindString, Expr: "element_id", Get: func(r *store.Incident) any { return r.ElementID }},
		{Name: "elementInstanceKey", Kind: KindKey, Expr: "element_instance_key", Get: func(r *store.Incident) any { return r.ElementInstanceKey }},
		{Name: "jobKey", Kind: KindKey, Expr: "job_key", Optional: true, Get: func(r *store.Incident) any { return r.JobKey }},
		{Name: "state", Kind: KindState, Expr: "state", Enum: []string{store.StateActive, store.StateResolved}, Get: func(r *store.Incident) any { return r.State }},
		{Name: "creationTime", Kind: KindDate, Expr: "creation_time", Get: func(r *store.Incident) any { return ms(r.CreationTime, r.CreationTime.IsZero()) }},
		{Name: "tenantId", Kind: KindString, Expr: "tenant_id", Get: func(r *store.Incident) any { return r.TenantID }},
		{Name: "errorMessageHash", Kind: KindInt, Expr: incidentErrorHash, Optional: true, Get: func(r *store.Incident) any { return int64(r.ErrorMessageHash) }},
	},
}).index()

// incidentErrorHash is the hash of an incident's error message, by the
// incident's key (0: not kept). The key stays unqualified: process
// instance filters read incidents under another name (incidentAlias).
const incidentErrorHash = "COALESCE((SELECT h.error_hash FROM incident_error_hashes h WHERE h.incident_key = key), 0)"
