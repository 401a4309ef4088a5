package rest

import (
	"encoding/json"
	"time"
)

// The wire types of the API, named after Camunda's schemas. They are kept
// apart from core/record so that the wire format and the log format can
// change independently. Optional response fields are omitted when unknown:
// Camunda 8.8 clients reject null for them.

// TopologyResponse is the answer to GET /v2/topology.
type TopologyResponse struct {
	Brokers               []BrokerInfo `json:"brokers"`
	ClusterSize           int32        `json:"clusterSize"`
	PartitionsCount       int32        `json:"partitionsCount"`
	ReplicationFactor     int32        `json:"replicationFactor"`
	GatewayVersion        string       `json:"gatewayVersion"`
	LastCompletedChangeID string       `json:"lastCompletedChangeId"`
}

// BrokerInfo is one node of the cluster.
type BrokerInfo struct {
	NodeID     int32       `json:"nodeId"`
	Host       string      `json:"host"`
	Port       int32       `json:"port"`
	Partitions []Partition `json:"partitions"`
	Version    string      `json:"version"`
}

// Partition is one partition of a node.
type Partition struct {
	PartitionID int32  `json:"partitionId"`
	Role        string `json:"role"`
	Health      string `json:"health"`
}

// DeploymentResult is the answer to POST /v2/deployments.
type DeploymentResult struct {
	DeploymentKey Key                        `json:"deploymentKey"`
	TenantID      string                     `json:"tenantId"`
	Deployments   []DeploymentMetadataResult `json:"deployments"`
}

// DeploymentMetadataResult is one deployed resource.
type DeploymentMetadataResult struct {
	ProcessDefinition *DeploymentProcessResult `json:"processDefinition,omitempty"`
	Form              *DeploymentFormResult    `json:"form,omitempty"`
}

// DeploymentProcessResult is one deployed process definition.
type DeploymentProcessResult struct {
	ProcessDefinitionID      string `json:"processDefinitionId"`
	ProcessDefinitionVersion int32  `json:"processDefinitionVersion"`
	ResourceName             string `json:"resourceName"`
	TenantID                 string `json:"tenantId"`
	ProcessDefinitionKey     Key    `json:"processDefinitionKey"`
}

// CreateProcessInstanceRequest is the body of POST /v2/process-instances.
type CreateProcessInstanceRequest struct {
	ProcessDefinitionID      string          `json:"processDefinitionId"`
	ProcessDefinitionVersion *int32          `json:"processDefinitionVersion"`
	ProcessDefinitionKey     *Key            `json:"processDefinitionKey"`
	Variables                json.RawMessage `json:"variables"`
	TenantID                 string          `json:"tenantId"`
	OperationReference       *int64          `json:"operationReference"`
	StartInstructions        []struct {
		ElementID string `json:"elementId"`
	} `json:"startInstructions"`
	// RuntimeInstructions are refused unless empty: Camunda 8.8's clients
	// may send an empty list.
	RuntimeInstructions []struct {
		Type           string `json:"type"`
		AfterElementID string `json:"afterElementId"`
	} `json:"runtimeInstructions"`
	AwaitCompletion bool     `json:"awaitCompletion"`
	FetchVariables  []string `json:"fetchVariables"`
	RequestTimeout  int64    `json:"requestTimeout"`
	Tags            []string `json:"tags"`
}

// CreateProcessInstanceResult is the answer to POST /v2/process-instances.
type CreateProcessInstanceResult struct {
	ProcessDefinitionID      string              `json:"processDefinitionId"`
	ProcessDefinitionVersion int32               `json:"processDefinitionVersion"`
	TenantID                 string              `json:"tenantId"`
	Variables                map[string]jsonText `json:"variables"`
	ProcessDefinitionKey     Key                 `json:"processDefinitionKey"`
	ProcessInstanceKey       Key                 `json:"processInstanceKey"`
}

// ProcessInstanceResult is a process instance in searches and gets.
type ProcessInstanceResult struct {
	ProcessDefinitionID         string `json:"processDefinitionId"`
	ProcessDefinitionName       string `json:"processDefinitionName"`
	ProcessDefinitionVersion    int32  `json:"processDefinitionVersion"`
	ProcessDefinitionVersionTag string `json:"processDefinitionVersionTag,omitempty"`
	StartDate                   string `json:"startDate"`
	EndDate                     string `json:"endDate,omitempty"`
	State                       string `json:"state"`
	HasIncident                 bool   `json:"hasIncident"`
	TenantID                    string `json:"tenantId"`
	ProcessInstanceKey          Key    `json:"processInstanceKey"`
	ProcessDefinitionKey        Key    `json:"processDefinitionKey"`
	ParentProcessInstanceKey    *Key   `json:"parentProcessInstanceKey,omitempty"`
	ParentElementInstanceKey    *Key   `json:"parentElementInstanceKey,omitempty"`
	// Tags are the tags the instance was created with.
	Tags []string `json:"tags,omitempty"`
}

// ProcessDefinitionResult is a process definition in searches and gets.
type ProcessDefinitionResult struct {
	Name                 string `json:"name"`
	ResourceName         string `json:"resourceName"`
	Version              int32  `json:"version"`
	VersionTag           string `json:"versionTag,omitempty"`
	ProcessDefinitionID  string `json:"processDefinitionId"`
	TenantID             string `json:"tenantId"`
	ProcessDefinitionKey Key    `json:"processDefinitionKey"`
	HasStartForm         bool   `json:"hasStartForm"`
}

// ElementInstanceResult is an element instance in searches and gets.
type ElementInstanceResult struct {
	ProcessDefinitionID  string `json:"processDefinitionId"`
	StartDate            string `json:"startDate"`
	EndDate              string `json:"endDate,omitempty"`
	ElementID            string `json:"elementId"`
	ElementName          string `json:"elementName"`
	Type                 string `json:"type"`
	State                string `json:"state"`
	HasIncident          bool   `json:"hasIncident"`
	TenantID             string `json:"tenantId"`
	ElementInstanceKey   Key    `json:"elementInstanceKey"`
	ProcessInstanceKey   Key    `json:"processInstanceKey"`
	ProcessDefinitionKey Key    `json:"processDefinitionKey"`
	IncidentKey          *Key   `json:"incidentKey,omitempty"`
}

// SetVariableRequest is the body of PUT /v2/element-instances/{key}/variables.
type SetVariableRequest struct {
	Variables          json.RawMessage `json:"variables"`
	Local              bool            `json:"local"`
	OperationReference *int64          `json:"operationReference"`
}

// VariableResult is a variable: in searches IsTruncated is set.
type VariableResult struct {
	Name               string `json:"name"`
	Value              string `json:"value"`
	IsTruncated        *bool  `json:"isTruncated,omitempty"`
	TenantID           string `json:"tenantId"`
	VariableKey        Key    `json:"variableKey"`
	ScopeKey           Key    `json:"scopeKey"`
	ProcessInstanceKey Key    `json:"processInstanceKey"`
}

// JobActivationRequest is the body of POST /v2/jobs/activation.
type JobActivationRequest struct {
	Type              string   `json:"type"`
	Worker            string   `json:"worker"`
	Timeout           int64    `json:"timeout"`
	MaxJobsToActivate int32    `json:"maxJobsToActivate"`
	FetchVariable     []string `json:"fetchVariable"`
	RequestTimeout    int64    `json:"requestTimeout"`
	TenantIDs         []string `json:"tenantIds"`
}

// JobActivationResult is the answer to POST /v2/jobs/activation.
type JobActivationResult struct {
	Jobs []ActivatedJobResult `json:"jobs"`
}

// ActivatedJobResult is one activated job.
type ActivatedJobResult struct {
	JobKey                   Key               `json:"jobKey"`
	Type                     string            `json:"type"`
	ProcessDefinitionID      string            `json:"processDefinitionId"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	ProcessDefinitionKey     Key               `json:"processDefinitionKey"`
	ProcessInstanceKey       Key               `json:"processInstanceKey"`
	ElementID                string            `json:"elementId"`
	ElementInstanceKey       Key               `json:"elementInstanceKey"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Worker                   string            `json:"worker"`
	Retries                  int32             `json:"retries"`
	Deadline                 int64             `json:"deadline"`
	Variables                map[string]any    `json:"variables"`
	TenantID                 string            `json:"tenantId"`
	Kind                     string            `json:"kind"`
	ListenerEventType        string            `json:"listenerEventType"`
}

// JobCompletionRequest is the body of POST /v2/jobs/{key}/completion.
type JobCompletionRequest struct {
	Variables json.RawMessage `json:"variables"`
	Result    json.RawMessage `json:"result"`
}

// JobFailRequest is the body of POST /v2/jobs/{key}/failure.
type JobFailRequest struct {
	Retries      int32           `json:"retries"`
	ErrorMessage string          `json:"errorMessage"`
	RetryBackOff int64           `json:"retryBackOff"`
	Variables    json.RawMessage `json:"variables"`
}

// JobErrorRequest is the body of POST /v2/jobs/{key}/error.
type JobErrorRequest struct {
	ErrorCode    string          `json:"errorCode"`
	ErrorMessage *string         `json:"errorMessage"`
	Variables    json.RawMessage `json:"variables"`
}

// JobUpdateRequest is the body of PATCH /v2/jobs/{key}.
type JobUpdateRequest struct {
	Changeset struct {
		Retries *int32 `json:"retries"`
		Timeout *int64 `json:"timeout"`
	} `json:"changeset"`
	OperationReference *int64 `json:"operationReference"`
}

// OperationReferenceRequest is the optional body of the commands that take
// only a key in the path: cancelling an instance, resolving an incident,
// deleting a resource.
type OperationReferenceRequest struct {
	OperationReference *int64 `json:"operationReference"`
}

// JobSearchResult is a job in searches.
type JobSearchResult struct {
	CustomHeaders            map[string]string `json:"customHeaders"`
	Deadline                 string            `json:"deadline,omitempty"`
	ElementID                string            `json:"elementId"`
	ElementInstanceKey       Key               `json:"elementInstanceKey"`
	ErrorCode                string            `json:"errorCode,omitempty"`
	ErrorMessage             string            `json:"errorMessage,omitempty"`
	HasFailedWithRetriesLeft bool              `json:"hasFailedWithRetriesLeft"`
	JobKey                   Key               `json:"jobKey"`
	Kind                     string            `json:"kind"`
	ListenerEventType        string            `json:"listenerEventType"`
	ProcessDefinitionID      string            `json:"processDefinitionId"`
	ProcessDefinitionKey     Key               `json:"processDefinitionKey"`
	ProcessInstanceKey       Key               `json:"processInstanceKey"`
	Retries                  int32             `json:"retries"`
	State                    string            `json:"state"`
	TenantID                 string            `json:"tenantId"`
	Type                     string            `json:"type"`
	Worker                   string            `json:"worker"`
}

// MessagePublicationRequest is the body of POST /v2/messages/publication.
type MessagePublicationRequest struct {
	Name           string          `json:"name"`
	CorrelationKey string          `json:"correlationKey"`
	TimeToLive     Long            `json:"timeToLive"`
	MessageID      string          `json:"messageId"`
	Variables      json.RawMessage `json:"variables"`
	TenantID       string          `json:"tenantId"`
}

// MessagePublicationResult is the answer to POST /v2/messages/publication.
type MessagePublicationResult struct {
	MessageKey Key    `json:"messageKey"`
	TenantID   string `json:"tenantId"`
}

// MessageCorrelationRequest is the body of POST /v2/messages/correlation.
type MessageCorrelationRequest struct {
	Name           string          `json:"name"`
	CorrelationKey string          `json:"correlationKey"`
	Variables      json.RawMessage `json:"variables"`
	TenantID       string          `json:"tenantId"`
}

// MessageCorrelationResult is the answer to POST /v2/messages/correlation.
type MessageCorrelationResult struct {
	MessageKey         Key    `json:"messageKey"`
	TenantID           string `json:"tenantId"`
	ProcessInstanceKey *Key   `json:"processInstanceKey,omitempty"`
}

// ClockPinRequest is the body of PUT /v2/clock.
type ClockPinRequest struct {
	Timestamp *Long `json:"timestamp"`
}

// UserTaskResult is a Camunda user task in searches and gets.
type UserTaskResult struct {
	UserTaskKey              Key               `json:"userTaskKey"`
	Name                     string            `json:"name"`
	State                    string            `json:"state"`
	Assignee                 string            `json:"assignee,omitempty"`
	ElementID                string            `json:"elementId"`
	CandidateGroups          []string          `json:"candidateGroups"`
	CandidateUsers           []string          `json:"candidateUsers"`
	ProcessDefinitionID      string            `json:"processDefinitionId"`
	CreationDate             string            `json:"creationDate,omitempty"`
	CompletionDate           string            `json:"completionDate,omitempty"`
	FollowUpDate             string            `json:"followUpDate,omitempty"`
	DueDate                  string            `json:"dueDate,omitempty"`
	TenantID                 string            `json:"tenantId"`
	ExternalFormReference    string            `json:"externalFormReference,omitempty"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Priority                 int32             `json:"priority"`
	ElementInstanceKey       Key               `json:"elementInstanceKey"`
	ProcessName              string            `json:"processName"`
	ProcessDefinitionKey     Key               `json:"processDefinitionKey"`
	ProcessInstanceKey       Key               `json:"processInstanceKey"`
	FormKey                  *Key              `json:"formKey,omitempty"`
}

// UserTaskAssignmentRequest is the body of POST /v2/user-tasks/{key}/assignment.
type UserTaskAssignmentRequest struct {
	Assignee      string  `json:"assignee"`
	AllowOverride *bool   `json:"allowOverride"`
	Action        *string `json:"action"`
}

// UserTaskCompletionRequest is the body of POST /v2/user-tasks/{key}/completion.
type UserTaskCompletionRequest struct {
	Variables json.RawMessage `json:"variables"`
	Action    *string         `json:"action"`
}

// UserTaskUpdateRequest is the body of PATCH /v2/user-tasks/{key}. A
// changeset member that is absent or null stays as it is.
type UserTaskUpdateRequest struct {
	Changeset *struct {
		DueDate         *string   `json:"dueDate"`
		FollowUpDate    *string   `json:"followUpDate"`
		CandidateUsers  *[]string `json:"candidateUsers"`
		CandidateGroups *[]string `json:"candidateGroups"`
		Priority        *int32    `json:"priority"`
	} `json:"changeset"`
	Action *string `json:"action"`
}

// IncidentResult is an incident in searches and gets.
type IncidentResult struct {
	ProcessDefinitionID  string `json:"processDefinitionId"`
	ErrorType            string `json:"errorType"`
	ErrorMessage         string `json:"errorMessage"`
	ElementID            string `json:"elementId"`
	CreationTime         string `json:"creationTime,omitempty"`
	State                string `json:"state"`
	TenantID             string `json:"tenantId"`
	IncidentKey          Key    `json:"incidentKey"`
	ProcessDefinitionKey Key    `json:"processDefinitionKey"`
	ProcessInstanceKey   Key    `json:"processInstanceKey"`
	ElementInstanceKey   Key    `json:"elementInstanceKey"`
	JobKey               *Key   `json:"jobKey,omitempty"`
}

// SearchRequest is the body of every POST .../search.
type SearchRequest struct {
	Filter map[string]json.RawMessage `json:"filter"`
	Sort   []SearchSort               `json:"sort"`
	Page   *SearchPage                `json:"page"`
}

// SearchSort is one sort field of a search.
type SearchSort struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// SearchPage asks for one page of results.
type SearchPage struct {
	From   *int   `json:"from"`
	Limit  *int   `json:"limit"`
	After  string `json:"after"`
	Before string `json:"before"`
}

// SearchResult is the answer to a search.
type SearchResult[T any] struct {
	Items []T                `json:"items"`
	Page  SearchPageResponse `json:"page"`
}

// SearchPageResponse describes the page of a search answer.
type SearchPageResponse struct {
	TotalItems        int64  `json:"totalItems"`
	HasMoreTotalItems bool   `json:"hasMoreTotalItems"`
	StartCursor       string `json:"startCursor,omitempty"`
	EndCursor         string `json:"endCursor,omitempty"`
}

// dateTime formats a time as Camunda does; the zero time is "".
func dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
