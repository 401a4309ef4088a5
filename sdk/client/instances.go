package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// CreateProcessInstanceRequest starts a process instance of the definition
// named by ProcessDefinitionID (and Version) or by ProcessDefinitionKey.
type CreateProcessInstanceRequest struct {
	// ProcessDefinitionID is the BPMN process id; the latest version
	// starts unless Version is set.
	ProcessDefinitionID string
	// Version picks a version of ProcessDefinitionID; 0 means the latest.
	Version int32
	// ProcessDefinitionKey names the definition by key instead.
	ProcessDefinitionKey int64
	// Variables are the instance's first variables: anything that encodes
	// to a JSON object (a map or a struct), or nil.
	Variables any
	// TenantID is empty for the default tenant.
	TenantID string
	// AwaitCompletion waits until the instance ends and returns its
	// variables (FetchVariables, or all of them).
	AwaitCompletion bool
	FetchVariables  []string
	// RequestTimeout bounds the wait of AwaitCompletion (0: the server's
	// default); the call's context must outlast it.
	RequestTimeout time.Duration
	// Tags label the instance (at most 10).
	Tags []string
}

// CreatedProcessInstance is the answer to a create.
type CreatedProcessInstance struct {
	ProcessDefinitionID      string `json:"processDefinitionId"`
	ProcessDefinitionVersion int32  `json:"processDefinitionVersion"`
	TenantID                 string `json:"tenantId"`
	// Variables holds the instance's variables at its end, as JSON text,
	// when AwaitCompletion was set; it is empty otherwise.
	Variables            map[string]json.RawMessage `json:"variables"`
	ProcessDefinitionKey int64                      `json:"processDefinitionKey,string"`
	ProcessInstanceKey   int64                      `json:"processInstanceKey,string"`
}

// ProcessInstance is a process instance. State is ACTIVE, COMPLETED or
// TERMINATED; EndDate is zero while it runs.
type ProcessInstance struct {
	ProcessDefinitionID         string    `json:"processDefinitionId"`
	ProcessDefinitionName       string    `json:"processDefinitionName"`
	ProcessDefinitionVersion    int32     `json:"processDefinitionVersion"`
	ProcessDefinitionVersionTag string    `json:"processDefinitionVersionTag,omitempty"`
	StartDate                   time.Time `json:"startDate"`
	EndDate                     time.Time `json:"endDate,omitzero"`
	State                       string    `json:"state"`
	HasIncident                 bool      `json:"hasIncident"`
	TenantID                    string    `json:"tenantId"`
	ProcessInstanceKey          int64     `json:"processInstanceKey,string"`
	ProcessDefinitionKey        int64     `json:"processDefinitionKey,string"`
	// ParentProcessInstanceKey and ParentElementInstanceKey are set for an
	// instance a call activity started; 0 otherwise.
	ParentProcessInstanceKey int64 `json:"parentProcessInstanceKey,omitempty,string"`
	ParentElementInstanceKey int64 `json:"parentElementInstanceKey,omitempty,string"`
}

// createBody is the wire form of CreateProcessInstanceRequest.
type createBody struct {
	ProcessDefinitionID      string          `json:"processDefinitionId,omitempty"`
	ProcessDefinitionVersion int32           `json:"processDefinitionVersion,omitempty"`
	ProcessDefinitionKey     int64           `json:"processDefinitionKey,omitempty,string"`
	Variables                json.RawMessage `json:"variables,omitempty"`
	TenantID                 string          `json:"tenantId,omitempty"`
	AwaitCompletion          bool            `json:"awaitCompletion,omitempty"`
	FetchVariables           []string        `json:"fetchVariables,omitempty"`
	RequestTimeout           int64           `json:"requestTimeout,omitempty"`
	Tags                     []string        `json:"tags,omitempty"`
}

// CreateProcessInstance starts a process instance (POST
// /v2/process-instances).
func (c *Client) CreateProcessInstance(ctx context.Context, req CreateProcessInstanceRequest) (*CreatedProcessInstance, error) {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return nil, fmt.Errorf("create process instance: %w", err)
	}
	body := createBody{
		ProcessDefinitionID: req.ProcessDefinitionID, ProcessDefinitionVersion: req.Version,
		ProcessDefinitionKey: req.ProcessDefinitionKey, Variables: vars, TenantID: req.TenantID,
		AwaitCompletion: req.AwaitCompletion, FetchVariables: req.FetchVariables, RequestTimeout: millis(req.RequestTimeout),
		Tags: req.Tags,
	}
	r, err := c.post("/v2/process-instances", body)
	if err != nil {
		return nil, err
	}
	var out CreatedProcessInstance
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SearchProcessInstances searches process instances (POST
// /v2/process-instances/search).
func (c *Client) SearchProcessInstances(ctx context.Context, q ProcessInstanceQuery) (*SearchResult[ProcessInstance], error) {
	return search[ProcessInstance](ctx, c, "/v2/process-instances/search", q.body())
}

// GetProcessInstance returns a process instance (GET
// /v2/process-instances/{key}).
func (c *Client) GetProcessInstance(ctx context.Context, key int64) (*ProcessInstance, error) {
	return get[ProcessInstance](ctx, c, "/v2/process-instances/%d", key)
}

// CancelProcessInstance cancels a running process instance (POST
// /v2/process-instances/{key}/cancellation).
func (c *Client) CancelProcessInstance(ctx context.Context, key int64) error {
	return c.command(ctx, http.MethodPost, "/v2/process-instances/%d/cancellation", key, nil)
}

// InstanceIncidentQuery pages through the incidents of one process
// instance; that search takes no filter.
type InstanceIncidentQuery struct {
	Sort []Sort
	Page *Page
}

// SearchProcessInstanceIncidents returns the incidents of a process
// instance (POST /v2/process-instances/{key}/incidents/search).
func (c *Client) SearchProcessInstanceIncidents(ctx context.Context, key int64, q InstanceIncidentQuery) (*SearchResult[Incident], error) {
	p, err := keyPath("/v2/process-instances/%d/incidents/search", key)
	if err != nil {
		return nil, err
	}
	return search[Incident](ctx, c, p, searchBody{Sort: q.Sort, Page: q.Page})
}

// millis converts a duration to whole milliseconds, rounding a positive
// duration under 1ms up to 1ms.
func millis(d time.Duration) int64 {
	if d > 0 && d < time.Millisecond {
		return 1
	}
	return d.Milliseconds()
}
