package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// UserTask is a Camunda user task. State is for example CREATED, COMPLETED
// or CANCELED; the dates are zero when unset.
type UserTask struct {
	UserTaskKey              int64             `json:"userTaskKey,string"`
	Name                     string            `json:"name"`
	State                    string            `json:"state"`
	Assignee                 string            `json:"assignee,omitempty"`
	ElementID                string            `json:"elementId"`
	CandidateGroups          []string          `json:"candidateGroups"`
	CandidateUsers           []string          `json:"candidateUsers"`
	ProcessDefinitionID      string            `json:"processDefinitionId"`
	CreationDate             time.Time         `json:"creationDate,omitzero"`
	CompletionDate           time.Time         `json:"completionDate,omitzero"`
	FollowUpDate             time.Time         `json:"followUpDate,omitzero"`
	DueDate                  time.Time         `json:"dueDate,omitzero"`
	TenantID                 string            `json:"tenantId"`
	ExternalFormReference    string            `json:"externalFormReference,omitempty"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Priority                 int32             `json:"priority"`
	ElementInstanceKey       int64             `json:"elementInstanceKey,string"`
	ProcessName              string            `json:"processName"`
	ProcessDefinitionKey     int64             `json:"processDefinitionKey,string"`
	ProcessInstanceKey       int64             `json:"processInstanceKey,string"`
	FormKey                  int64             `json:"formKey,omitempty,string"`
}

// SearchUserTasks searches user tasks (POST /v2/user-tasks/search).
func (c *Client) SearchUserTasks(ctx context.Context, q UserTaskQuery) (*SearchResult[UserTask], error) {
	return search[UserTask](ctx, c, "/v2/user-tasks/search", q.body())
}

// GetUserTask returns a user task (GET /v2/user-tasks/{key}).
func (c *Client) GetUserTask(ctx context.Context, key int64) (*UserTask, error) {
	return get[UserTask](ctx, c, "/v2/user-tasks/%d", key)
}

// UserTaskChangeset changes a user task; nil fields stay as they are.
type UserTaskChangeset struct {
	// DueDate and FollowUpDate are RFC 3339 date-times; "" clears them.
	DueDate      *string `json:"dueDate,omitempty"`
	FollowUpDate *string `json:"followUpDate,omitempty"`
	// CandidateUsers and CandidateGroups replace the lists; an empty
	// list clears one.
	CandidateUsers  *[]string `json:"candidateUsers,omitempty"`
	CandidateGroups *[]string `json:"candidateGroups,omitempty"`
	// Priority is 0 to 100.
	Priority *int32 `json:"priority,omitempty"`
}

// UpdateUserTaskRequest changes a user task.
type UpdateUserTaskRequest struct {
	Changeset UserTaskChangeset
	// Action names the change for task listeners (default "update").
	Action string
}

// UpdateUserTask changes a user task (PATCH /v2/user-tasks/{key}).
func (c *Client) UpdateUserTask(ctx context.Context, key int64, req UpdateUserTaskRequest) error {
	body := struct {
		Changeset UserTaskChangeset `json:"changeset"`
		Action    string            `json:"action,omitempty"`
	}{req.Changeset, req.Action}
	return c.command(ctx, http.MethodPatch, "/v2/user-tasks/%d", key, body)
}

// AssignUserTaskRequest assigns a user task.
type AssignUserTaskRequest struct {
	Assignee string
	// AllowOverride false refuses (409) to replace another assignee; nil
	// means true.
	AllowOverride *bool
	// Action names the change for task listeners (default "assign").
	Action string
}

// AssignUserTask assigns a user task (POST
// /v2/user-tasks/{key}/assignment).
func (c *Client) AssignUserTask(ctx context.Context, key int64, req AssignUserTaskRequest) error {
	if req.Assignee == "" {
		return fmt.Errorf("assign user task %d: expected an assignee, but it is empty (UnassignUserTask unassigns)", key)
	}
	body := struct {
		Assignee      string `json:"assignee"`
		AllowOverride *bool  `json:"allowOverride,omitempty"`
		Action        string `json:"action,omitempty"`
	}{req.Assignee, req.AllowOverride, req.Action}
	return c.command(ctx, http.MethodPost, "/v2/user-tasks/%d/assignment", key, body)
}

// UnassignUserTask removes a user task's assignee (DELETE
// /v2/user-tasks/{key}/assignee).
func (c *Client) UnassignUserTask(ctx context.Context, key int64) error {
	return c.command(ctx, http.MethodDelete, "/v2/user-tasks/%d/assignee", key, nil)
}

// CompleteUserTaskRequest completes a user task.
type CompleteUserTaskRequest struct {
	// Variables are anything that encodes to a JSON object, or nil.
	Variables any
	// Action names the completion for task listeners (default
	// "complete").
	Action string
}

// CompleteUserTask completes a user task (POST
// /v2/user-tasks/{key}/completion).
func (c *Client) CompleteUserTask(ctx context.Context, key int64, req CompleteUserTaskRequest) error {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return fmt.Errorf("complete user task %d: %w", key, err)
	}
	body := struct {
		Variables json.RawMessage `json:"variables,omitempty"`
		Action    string          `json:"action,omitempty"`
	}{vars, req.Action}
	return c.command(ctx, http.MethodPost, "/v2/user-tasks/%d/completion", key, body)
}

// SearchUserTaskVariables searches the variables a user task sees: its own
// and those of every enclosing scope (POST
// /v2/user-tasks/{key}/variables/search).
func (c *Client) SearchUserTaskVariables(ctx context.Context, key int64, q UserTaskVariableQuery) (*SearchResult[Variable], error) {
	p, err := keyPath("/v2/user-tasks/%d/variables/search", key)
	if err != nil {
		return nil, err
	}
	return search[Variable](ctx, c, p, q.body())
}
