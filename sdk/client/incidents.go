package client

import (
	"context"
	"net/http"
	"time"
)

// Incident is a problem a process instance cannot get past without help.
// ErrorType is for example JOB_NO_RETRIES; State is ACTIVE or RESOLVED.
type Incident struct {
	ProcessDefinitionID  string    `json:"processDefinitionId"`
	ErrorType            string    `json:"errorType"`
	ErrorMessage         string    `json:"errorMessage"`
	ElementID            string    `json:"elementId"`
	CreationTime         time.Time `json:"creationTime,omitzero"`
	State                string    `json:"state"`
	TenantID             string    `json:"tenantId"`
	IncidentKey          int64     `json:"incidentKey,string"`
	ProcessDefinitionKey int64     `json:"processDefinitionKey,string"`
	ProcessInstanceKey   int64     `json:"processInstanceKey,string"`
	ElementInstanceKey   int64     `json:"elementInstanceKey,string"`
	// JobKey is the failed job's key, 0 for incidents without a job.
	JobKey int64 `json:"jobKey,omitempty,string"`
}

// SearchIncidents searches incidents (POST /v2/incidents/search).
func (c *Client) SearchIncidents(ctx context.Context, q IncidentQuery) (*SearchResult[Incident], error) {
	return search[Incident](ctx, c, "/v2/incidents/search", q.body())
}

// GetIncident returns an incident (GET /v2/incidents/{key}).
func (c *Client) GetIncident(ctx context.Context, key int64) (*Incident, error) {
	return get[Incident](ctx, c, "/v2/incidents/%d", key)
}

// ResolveIncident resolves an incident (POST
// /v2/incidents/{key}/resolution): the instance tries again. For a job
// incident, give the job retries first (UpdateJob).
func (c *Client) ResolveIncident(ctx context.Context, key int64) error {
	return c.command(ctx, http.MethodPost, "/v2/incidents/%d/resolution", key, nil)
}
