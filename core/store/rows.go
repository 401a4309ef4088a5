package store

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/example/wf-engine/core/state"
)

// The rows that searches return. Field names follow Camunda's search fields;
// the name a Condition or SortField uses is given in each field's comment
// when it differs from the lower-camel-case of the Go name. Keys that do not
// apply are 0 or -1 (the kernel writes -1 for "no parent"); dates that do not
// apply are the zero time.

// ProcessDefinition is one deployed version of a process.
type ProcessDefinition struct {
	ProcessDefinitionKey int64
	ProcessDefinitionID  string // the BPMN process id
	Name                 string
	Version              int32
	VersionTag           string
	ResourceName         string
	TenantID             string
	// Latest is true for the highest version of its process id and tenant.
	Latest bool
}

// ProcessInstance is a process instance: an element instance of type PROCESS.
type ProcessInstance struct {
	ProcessInstanceKey       int64
	ProcessDefinitionID      string
	ProcessDefinitionKey     int64
	ProcessDefinitionVersion int32
	State                    string // ACTIVE, COMPLETED or TERMINATED
	StartDate                time.Time
	EndDate                  time.Time
	ParentProcessInstanceKey int64
	ParentElementInstanceKey int64
	// HasIncident is true while any element of the instance has an open incident.
	HasIncident bool
	TenantID    string
	// ProcessDefinitionName is the definition's name, or its process id
	// when it has none; ProcessDefinitionVersionTag its version tag.
	ProcessDefinitionName       string
	ProcessDefinitionVersionTag string
	// HasRetriesLeft is true while a job of the instance failed and has
	// retries left.
	HasRetriesLeft bool
	// Tags are the tags the instance was created with (none: nil).
	Tags []string
	// StartPosition is the log position of the command that created the
	// instance, 0 when unknown (state.ElementInstance.StartPosition). It is
	// not a search field.
	StartPosition int64
}

// ElementInstance is an element instance, process instances included.
type ElementInstance struct {
	ElementInstanceKey   int64
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ElementID            string
	Type                 string // Camunda's element type: SERVICE_TASK, PROCESS ...
	State                string // ACTIVE, COMPLETED or TERMINATED
	StartDate            time.Time
	EndDate              time.Time
	IncidentKey          int64 // the open incident on this element, 0 if none
	HasIncident          bool
	// ElementInstanceScopeKey is the flow scope: the enclosing element
	// instance, -1 for a process instance.
	ElementInstanceScopeKey int64
	TenantID                string
}

// Variable is a variable of a scope. Value is its JSON text.
type Variable struct {
	VariableKey        int64
	Name               string
	Value              string
	ScopeKey           int64
	ProcessInstanceKey int64
	TenantID           string
}

// Job is a job, finished ones included.
type Job struct {
	JobKey               int64
	Type                 string
	State                string // CREATED, FAILED, ERROR_THROWN, COMPLETED or CANCELED
	Retries              int32
	Worker               string
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ElementInstanceKey   int64
	ElementID            string
	Deadline             time.Time // zero unless activated
	ErrorMessage         string
	ErrorCode            string
	CustomHeaders        map[string]string
	TenantID             string
}

// Incident is an incident, resolved ones included.
type Incident struct {
	IncidentKey          int64
	ProcessInstanceKey   int64
	ProcessDefinitionKey int64
	ProcessDefinitionID  string
	ErrorType            string
	ErrorMessage         string
	ElementID            string
	ElementInstanceKey   int64
	JobKey               int64
	State                string // ACTIVE or RESOLVED
	CreationTime         time.Time
	TenantID             string
	// ErrorMessageHash is Camunda's hash of the error message (JavaHash),
	// kept for incidents created since migration postgres 22 / sqlite 21;
	// 0 for older ones.
	ErrorMessageHash int32
}

// Camunda's names of element instance, job and incident states.
const (
	StateActive     = "ACTIVE"
	StateCompleted  = "COMPLETED"
	StateTerminated = "TERMINATED"
	StateResolved   = "RESOLVED"

	JobStateCreated     = "CREATED"
	JobStateFailed      = "FAILED"
	JobStateErrorThrown = "ERROR_THROWN"
	JobStateCompleted   = "COMPLETED"
	JobStateCanceled    = "CANCELED"
)

// ElementStateName returns Camunda's state of an element instance: a
// completing or terminating element is still ACTIVE.
func ElementStateName(s state.ElementState) string {
	switch s {
	case state.ElementCompleted:
		return StateCompleted
	case state.ElementTerminated:
		return StateTerminated
	}
	return StateActive
}

// JobStateName returns Camunda's state of a job. Camunda has no state for an
// activated job (it stays CREATED) nor for one backing off (FAILED with
// retries left).
func JobStateName(s state.JobState) string {
	switch s {
	case state.JobFailed, state.JobBackingOff:
		return JobStateFailed
	case state.JobErrorThrown:
		return JobStateErrorThrown
	case state.JobCompleted:
		return JobStateCompleted
	case state.JobCanceled:
		return JobStateCanceled
	}
	return JobStateCreated
}

// IncidentStateName returns Camunda's state of an incident.
func IncidentStateName(resolved bool) string {
	if resolved {
		return StateResolved
	}
	return StateActive
}

// Millis converts Unix milliseconds to a time; 0 is the zero time.
func Millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// EncodeJSON returns the JSON text the stores keep for a variable value (or
// any other JSON document): map keys sorted, HTML characters not escaped,
// so that a search for the text a client sends finds it.
func EncodeJSON(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
