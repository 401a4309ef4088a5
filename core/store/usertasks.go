package store

import (
	"context"
	"time"
)

// UserTask is a Camunda user task, finished ones included. Its filter and
// sort fields are Camunda's: userTaskKey, state (CREATED, COMPLETED,
// CANCELED), assignee, candidateGroup, candidateUser (both match one entry
// of the lists), processInstanceKey, processDefinitionKey,
// processDefinitionId, elementId, elementInstanceKey, priority,
// creationDate, completionDate, dueDate, followUpDate, tenantId.
type UserTask struct {
	UserTaskKey           int64
	State                 string
	Assignee              string
	CandidateGroups       []string
	CandidateUsers        []string
	ProcessInstanceKey    int64
	ProcessDefinitionKey  int64
	ProcessDefinitionID   string
	ProcessDefinitionVer  int32
	ElementID             string
	Name                  string // the element's name, or ""
	ElementInstanceKey    int64
	Priority              int32
	FormKey               string
	FormID                string
	ExternalFormReference string
	CustomHeaders         map[string]string
	CreationDate          time.Time
	CompletionDate        time.Time // zero while open
	DueDate               string    // ISO 8601 as given, or ""
	FollowUpDate          string
	TenantID              string
}

// UserTaskQuerier searches user tasks. Stores implement it beside Querier.
// Query.Tenants restricts it as it does every search: a task belongs to the
// tenant it was created in (TenantID).
type UserTaskQuerier interface {
	SearchUserTasks(ctx context.Context, q Query) (Page[UserTask], error)
}
