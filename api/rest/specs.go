package rest

import "github.com/example/wf-engine/core/store"

// What each search endpoint accepts. Field names are Camunda's; fields
// Camunda has but the stores cannot search yet are left out and get a 400
// that lists the supported ones.

var (
	instanceStates = []string{"ACTIVE", "COMPLETED", "TERMINATED"}
	elementTypes   = []string{"UNSPECIFIED", "PROCESS", "SUB_PROCESS", "EVENT_SUB_PROCESS", "AD_HOC_SUB_PROCESS",
		"AD_HOC_SUB_PROCESS_INNER_INSTANCE", "START_EVENT", "INTERMEDIATE_CATCH_EVENT", "INTERMEDIATE_THROW_EVENT",
		"BOUNDARY_EVENT", "END_EVENT", "SERVICE_TASK", "RECEIVE_TASK", "USER_TASK", "MANUAL_TASK", "TASK",
		"EXCLUSIVE_GATEWAY", "INCLUSIVE_GATEWAY", "PARALLEL_GATEWAY", "EVENT_BASED_GATEWAY", "SEQUENCE_FLOW",
		"MULTI_INSTANCE_BODY", "CALL_ACTIVITY", "BUSINESS_RULE_TASK", "SCRIPT_TASK", "SEND_TASK", "UNKNOWN"}
	jobStates      = []string{"CANCELED", "COMPLETED", "CREATED", "ERROR_THROWN", "FAILED", "MIGRATED", "RETRIES_UPDATED", "TIMED_OUT"}
	incidentStates = []string{"ACTIVE", "MIGRATED", "RESOLVED", "PENDING"}
	userTaskStates = []string{"CREATING", "CREATED", "ASSIGNING", "UPDATING", "COMPLETING", "COMPLETED", "CANCELING", "CANCELED", "FAILED"}
	incidentTypes  = []string{"UNSPECIFIED", "UNKNOWN", "IO_MAPPING_ERROR", "JOB_NO_RETRIES", "EXECUTION_LISTENER_NO_RETRIES",
		"TASK_LISTENER_NO_RETRIES", "AD_HOC_SUB_PROCESS_NO_RETRIES", "CONDITION_ERROR", "EXTRACT_VALUE_ERROR",
		"CALLED_ELEMENT_ERROR", "UNHANDLED_ERROR_EVENT", "MESSAGE_SIZE_EXCEEDED", "CALLED_DECISION_ERROR",
		"DECISION_EVALUATION_ERROR", "FORM_NOT_FOUND", "RESOURCE_NOT_FOUND"}
)

var (
	key     = filterField{kind: kindKey}
	integer = filterField{kind: kindInt}
	date    = filterField{kind: kindDate}
	text    = filterField{kind: kindString}
	boolean = filterField{kind: kindBool}
)

func enum(values []string) filterField { return filterField{kind: kindEnum, enum: values} }

var definitionSearch = &searchSpec{
	name: "process definition",
	filters: map[string]filterField{
		"processDefinitionKey": key, "processDefinitionId": text, "name": text, "resourceName": text,
		"version": integer, "versionTag": text, "tenantId": text, "isLatestVersion": boolean, "hasStartForm": boolean,
	},
	sorts: []string{"processDefinitionKey", "name", "resourceName", "version", "versionTag", "processDefinitionId", "tenantId"},
}

var instanceSearch = &searchSpec{
	name: "process instance",
	filters: map[string]filterField{
		"processInstanceKey": key, "processDefinitionId": text, "processDefinitionKey": key,
		"processDefinitionVersion": integer, "parentProcessInstanceKey": key, "parentElementInstanceKey": key,
		"startDate": date, "endDate": date, "state": enum(instanceStates), "hasIncident": boolean, "tenantId": text,
		"processDefinitionName": text, "processDefinitionVersionTag": text, "hasRetriesLeft": boolean,
	},
	sorts: []string{"processInstanceKey", "processDefinitionId", "processDefinitionName", "processDefinitionVersion",
		"processDefinitionVersionTag", "processDefinitionKey", "parentProcessInstanceKey", "parentElementInstanceKey", "startDate",
		"endDate", "state", "hasIncident", "tenantId"},
	or:   true,
	vars: map[string]store.VariableScope{"variables": store.VariablesOfInstance},
	elements: map[string]elementFilter{
		"elementId":                  {"elementId", text},
		"elementInstanceState":       {"state", enum(instanceStates)},
		"hasElementInstanceIncident": {"hasIncident", boolean},
	},
	incidents: map[string]elementFilter{"errorMessage": {"errorMessage", text}, "incidentErrorHashCode": {"errorMessageHash", integer}},
	sets:      map[string]bool{"tags": true},
}

var elementSearch = &searchSpec{
	name: "element instance",
	filters: map[string]filterField{
		"elementInstanceKey": key, "processInstanceKey": key, "processDefinitionKey": key, "processDefinitionId": text,
		"elementId": text, "type": enum(elementTypes), "state": enum(instanceStates), "hasIncident": boolean,
		"incidentKey": key, "tenantId": text, "startDate": date, "endDate": date, "elementInstanceScopeKey": key,
	},
	sorts: []string{"elementInstanceKey", "processInstanceKey", "processDefinitionKey", "processDefinitionId",
		"startDate", "endDate", "elementId", "type", "state", "incidentKey", "tenantId"},
}

var variableSearch = &searchSpec{
	name: "variable",
	filters: map[string]filterField{
		"variableKey": key, "name": text, "value": text, "scopeKey": key, "processInstanceKey": key, "tenantId": text,
		variableTruncated: boolean,
	},
	sorts: []string{"value", "name", "tenantId", "variableKey", "scopeKey", "processInstanceKey"},
}

var jobSearch = &searchSpec{
	name: "job",
	filters: map[string]filterField{
		"jobKey": key, "type": text, "worker": text, "state": enum(jobStates), "retries": integer,
		"processInstanceKey": key, "processDefinitionKey": key, "processDefinitionId": text, "elementId": text,
		"elementInstanceKey": key, "errorCode": text, "errorMessage": text, "deadline": date, "tenantId": text,
		// decided in the API (jobfilters.go)
		"kind": enum(jobKinds), "listenerEventType": enum(listenerEventType), "isDenied": boolean, "deniedReason": text,
		jobFailedWithRetriesLeft: boolean,
	},
	sorts: []string{"jobKey", "type", "worker", "state", "retries", "processInstanceKey", "processDefinitionKey",
		"processDefinitionId", "elementId", "elementInstanceKey", "errorCode", "errorMessage", "deadline", "tenantId"},
}

var incidentSearch = &searchSpec{
	name: "incident",
	filters: map[string]filterField{
		"incidentKey": key, "processDefinitionKey": key, "processDefinitionId": text, "processInstanceKey": key,
		"errorType": enum(incidentTypes), "errorMessage": text, "elementId": text, "elementInstanceKey": key,
		"creationTime": date, "state": enum(incidentStates), "jobKey": key, "tenantId": text,
	},
	sorts: []string{"incidentKey", "processDefinitionKey", "processDefinitionId", "processInstanceKey", "errorType",
		"errorMessage", "elementId", "elementInstanceKey", "creationTime", "state", "jobKey", "tenantId"},
}

// userTaskSearch takes Camunda's variable filters: processInstanceVariables
// (the process instance's own scope) and localVariables (the task's element
// instance).
var userTaskSearch = &searchSpec{
	name: "user task",
	filters: map[string]filterField{
		"userTaskKey": key, "state": enum(userTaskStates), "assignee": text, "candidateGroup": text, "candidateUser": text,
		"processInstanceKey": key, "processDefinitionKey": key, "processDefinitionId": text, "elementId": text,
		"name": text, "elementInstanceKey": key, "priority": integer, "creationDate": date, "completionDate": date, "dueDate": date,
		"followUpDate": date, "tenantId": text,
	},
	sorts: []string{"creationDate", "completionDate", "followUpDate", "dueDate", "priority", "name"},
	vars:  map[string]store.VariableScope{"processInstanceVariables": store.VariablesOfProcess, "localVariables": store.VariablesLocal},
}

// userTaskVariableSearch filters by name only.
var userTaskVariableSearch = &searchSpec{
	name:    "user task variable",
	filters: map[string]filterField{"name": text},
	sorts:   variableSearch.sorts,
}

// instanceIncidentSearch takes sort and page only.
var instanceIncidentSearch = &searchSpec{name: "process instance incident", sorts: incidentSearch.sorts}
