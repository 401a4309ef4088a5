package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ActivateJobsRequest asks for jobs of one type.
type ActivateJobsRequest struct {
	// Type is the job type (zeebe:taskDefinition type).
	Type string
	// Worker names the worker, for searches and incidents.
	Worker string
	// Timeout is how long the jobs stay locked to this worker; after it
	// they can be activated again.
	Timeout time.Duration
	// MaxJobs bounds how many jobs one call returns.
	MaxJobs int32
	// FetchVariables names the variables to fetch; empty fetches all.
	FetchVariables []string
	// RequestTimeout is how long the server waits for jobs when none is
	// ready (a long poll): 0 is the server's default, negative returns at
	// once. The call's context must outlast it.
	RequestTimeout time.Duration
	// TenantIDs limits the tenants; empty means the default tenant.
	TenantIDs []string
}

// ActivatedJob is a job locked to a worker until Deadline.
type ActivatedJob struct {
	JobKey                   int64             `json:"jobKey,string"`
	Type                     string            `json:"type"`
	ProcessDefinitionID      string            `json:"processDefinitionId"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	ProcessDefinitionKey     int64             `json:"processDefinitionKey,string"`
	ProcessInstanceKey       int64             `json:"processInstanceKey,string"`
	ElementID                string            `json:"elementId"`
	ElementInstanceKey       int64             `json:"elementInstanceKey,string"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Worker                   string            `json:"worker"`
	// Retries left, counting this attempt.
	Retries int32 `json:"retries"`
	// Deadline is when the lock ends (the wire's epoch milliseconds).
	Deadline time.Time `json:"-"`
	// Variables holds the fetched variables as JSON text; VariablesAs
	// decodes them into a struct or map.
	Variables         map[string]json.RawMessage `json:"variables"`
	TenantID          string                     `json:"tenantId"`
	Kind              string                     `json:"kind"`
	ListenerEventType string                     `json:"listenerEventType"`
}

// UnmarshalJSON implements json.Unmarshaler: it reads the deadline from
// epoch milliseconds.
func (j *ActivatedJob) UnmarshalJSON(b []byte) error {
	type plain ActivatedJob
	w := struct {
		*plain
		Deadline int64 `json:"deadline"`
	}{plain: (*plain)(j)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	j.Deadline = time.UnixMilli(w.Deadline)
	return nil
}

// VariablesAs decodes the job's variables into v, a pointer to a struct or
// a map.
func (j *ActivatedJob) VariablesAs(v any) error {
	b, err := json.Marshal(j.Variables)
	if err != nil {
		return fmt.Errorf("job %d: variables: %w", j.JobKey, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("job %d: decode variables: %w", j.JobKey, err)
	}
	return nil
}

// activateBody is the wire form of ActivateJobsRequest.
type activateBody struct {
	Type              string   `json:"type"`
	Worker            string   `json:"worker,omitempty"`
	Timeout           int64    `json:"timeout"`
	MaxJobsToActivate int32    `json:"maxJobsToActivate"`
	FetchVariable     []string `json:"fetchVariable,omitempty"`
	RequestTimeout    int64    `json:"requestTimeout,omitempty"`
	TenantIDs         []string `json:"tenantIds,omitempty"`
}

// ActivateJobs activates up to MaxJobs jobs of a type (POST
// /v2/jobs/activation), waiting up to RequestTimeout for the first. It is
// sent once, never retried: a lost answer's jobs come back after their
// Timeout.
func (c *Client) ActivateJobs(ctx context.Context, req ActivateJobsRequest) ([]ActivatedJob, error) {
	rt := millis(req.RequestTimeout)
	if req.RequestTimeout < 0 {
		rt = -1
	}
	body := activateBody{
		Type: req.Type, Worker: req.Worker, Timeout: millis(req.Timeout), MaxJobsToActivate: req.MaxJobs,
		FetchVariable: req.FetchVariables, RequestTimeout: rt, TenantIDs: req.TenantIDs,
	}
	r := call{method: http.MethodPost, path: "/v2/jobs/activation", retry: retryNever}
	if err := r.setJSON(body); err != nil {
		return nil, err
	}
	var out struct {
		Jobs []ActivatedJob `json:"jobs"`
	}
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.Jobs, nil
}

// Job is a job as searches show it. State is one of CREATED, COMPLETED,
// FAILED, ERROR_THROWN, RETRIES_UPDATED, TIMED_OUT, CANCELED, MIGRATED.
type Job struct {
	CustomHeaders map[string]string `json:"customHeaders"`
	// Deadline is the lock's end while the job is activated, else zero.
	Deadline                 time.Time `json:"deadline,omitzero"`
	ElementID                string    `json:"elementId"`
	ElementInstanceKey       int64     `json:"elementInstanceKey,string"`
	ErrorCode                string    `json:"errorCode,omitempty"`
	ErrorMessage             string    `json:"errorMessage,omitempty"`
	HasFailedWithRetriesLeft bool      `json:"hasFailedWithRetriesLeft"`
	JobKey                   int64     `json:"jobKey,string"`
	Kind                     string    `json:"kind"`
	ListenerEventType        string    `json:"listenerEventType"`
	ProcessDefinitionID      string    `json:"processDefinitionId"`
	ProcessDefinitionKey     int64     `json:"processDefinitionKey,string"`
	ProcessInstanceKey       int64     `json:"processInstanceKey,string"`
	Retries                  int32     `json:"retries"`
	State                    string    `json:"state"`
	TenantID                 string    `json:"tenantId"`
	Type                     string    `json:"type"`
	Worker                   string    `json:"worker"`
}

// SearchJobs searches jobs (POST /v2/jobs/search).
func (c *Client) SearchJobs(ctx context.Context, q JobQuery) (*SearchResult[Job], error) {
	return search[Job](ctx, c, "/v2/jobs/search", q.body())
}

// GetJob returns a job. The API has no route for one job, so GetJob
// searches by key; it returns a *Problem with status 404 when there is no
// such job, as a get route would.
func (c *Client) GetJob(ctx context.Context, key int64) (*Job, error) {
	p, err := keyPath("/v2/jobs/%d", key)
	if err != nil {
		return nil, err
	}
	res, err := c.SearchJobs(ctx, JobQuery{Filter: JobFilter{JobKey: key}, Page: &Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(res.Items) == 0 {
		return nil, &Problem{Type: "about:blank", Title: "NOT_FOUND", Status: http.StatusNotFound,
			Detail: "Job with key '" + strconv.FormatInt(key, 10) + "' not found", Instance: p, Method: http.MethodGet, Path: p}
	}
	return &res.Items[0], nil
}

// JobChangeset changes a job; nil fields stay as they are.
type JobChangeset struct {
	// Retries sets the retries left (at least 1).
	Retries *int32
	// Timeout sets a new deadline of now plus Timeout (the job must be
	// activated).
	Timeout *time.Duration
}

// UpdateJob changes a job's retries or timeout (PATCH /v2/jobs/{key}).
func (c *Client) UpdateJob(ctx context.Context, key int64, ch JobChangeset) error {
	if ch.Retries == nil && ch.Timeout == nil {
		return errors.New("update job: expected Retries or Timeout to be set, but the changeset is empty")
	}
	var body struct {
		Changeset struct {
			Retries *int32 `json:"retries,omitempty"`
			Timeout *int64 `json:"timeout,omitempty"`
		} `json:"changeset"`
	}
	body.Changeset.Retries = ch.Retries
	if ch.Timeout != nil {
		ms := millis(*ch.Timeout)
		body.Changeset.Timeout = &ms
	}
	return c.command(ctx, http.MethodPatch, "/v2/jobs/%d", key, body)
}

// CompleteJobRequest completes a job.
type CompleteJobRequest struct {
	// Variables are merged into the process (through the task's output
	// mappings): anything that encodes to a JSON object, or nil.
	Variables any
}

// CompleteJob completes an activated job (POST /v2/jobs/{key}/completion).
func (c *Client) CompleteJob(ctx context.Context, key int64, req CompleteJobRequest) error {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return fmt.Errorf("complete job %d: %w", key, err)
	}
	body := struct {
		Variables json.RawMessage `json:"variables,omitempty"`
	}{vars}
	return c.command(ctx, http.MethodPost, "/v2/jobs/%d/completion", key, body)
}

// FailJobRequest reports that a job failed.
type FailJobRequest struct {
	// Retries left after this failure; 0 raises an incident.
	Retries      int32
	ErrorMessage string
	// RetryBackoff delays the next activation (with Retries > 0).
	RetryBackoff time.Duration
	// Variables are set in the task's scope: anything that encodes to a
	// JSON object, or nil.
	Variables any
}

// FailJob fails an activated job (POST /v2/jobs/{key}/failure).
func (c *Client) FailJob(ctx context.Context, key int64, req FailJobRequest) error {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return fmt.Errorf("fail job %d: %w", key, err)
	}
	body := struct {
		Retries      int32           `json:"retries"`
		ErrorMessage string          `json:"errorMessage,omitempty"`
		RetryBackOff int64           `json:"retryBackOff,omitempty"`
		Variables    json.RawMessage `json:"variables,omitempty"`
	}{req.Retries, req.ErrorMessage, millis(req.RetryBackoff), vars}
	return c.command(ctx, http.MethodPost, "/v2/jobs/%d/failure", key, body)
}

// ThrowJobErrorRequest throws a BPMN error from a job.
type ThrowJobErrorRequest struct {
	// ErrorCode is matched against the error events that may catch it.
	ErrorCode    string
	ErrorMessage string
	// Variables are set in the catching scope: anything that encodes to a
	// JSON object, or nil.
	Variables any
}

// ThrowJobError throws a BPMN error for an activated job (POST
// /v2/jobs/{key}/error): an error boundary or error event subprocess with
// that code catches it, else it becomes an incident.
func (c *Client) ThrowJobError(ctx context.Context, key int64, req ThrowJobErrorRequest) error {
	if req.ErrorCode == "" {
		return fmt.Errorf("throw error for job %d: expected an error code, but it is empty", key)
	}
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return fmt.Errorf("throw error for job %d: %w", key, err)
	}
	body := struct {
		ErrorCode    string          `json:"errorCode"`
		ErrorMessage string          `json:"errorMessage,omitempty"`
		Variables    json.RawMessage `json:"variables,omitempty"`
	}{req.ErrorCode, req.ErrorMessage, vars}
	return c.command(ctx, http.MethodPost, "/v2/jobs/%d/error", key, body)
}

// Interface guards
var _ json.Unmarshaler = (*ActivatedJob)(nil)
