package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// ElementInstance is one activation of a BPMN element. Type is for example
// SERVICE_TASK; State is ACTIVE, COMPLETED or TERMINATED.
type ElementInstance struct {
	ProcessDefinitionID  string    `json:"processDefinitionId"`
	StartDate            time.Time `json:"startDate"`
	EndDate              time.Time `json:"endDate,omitzero"`
	ElementID            string    `json:"elementId"`
	ElementName          string    `json:"elementName"`
	Type                 string    `json:"type"`
	State                string    `json:"state"`
	HasIncident          bool      `json:"hasIncident"`
	TenantID             string    `json:"tenantId"`
	ElementInstanceKey   int64     `json:"elementInstanceKey,string"`
	ProcessInstanceKey   int64     `json:"processInstanceKey,string"`
	ProcessDefinitionKey int64     `json:"processDefinitionKey,string"`
	// IncidentKey is the open incident's key, 0 when there is none.
	IncidentKey int64 `json:"incidentKey,omitempty,string"`
}

// SearchElementInstances searches element instances (POST
// /v2/element-instances/search).
func (c *Client) SearchElementInstances(ctx context.Context, q ElementInstanceQuery) (*SearchResult[ElementInstance], error) {
	return search[ElementInstance](ctx, c, "/v2/element-instances/search", q.body())
}

// GetElementInstance returns an element instance (GET
// /v2/element-instances/{key}).
func (c *Client) GetElementInstance(ctx context.Context, key int64) (*ElementInstance, error) {
	return get[ElementInstance](ctx, c, "/v2/element-instances/%d", key)
}

// SetVariablesRequest sets variables in the scope of an element instance
// (or of a process instance: its key is its element instance key).
type SetVariablesRequest struct {
	// Variables is anything that encodes to a JSON object.
	Variables any
	// Local sets them in this scope only; otherwise each variable goes to
	// the nearest scope that already has it (else this one).
	Local bool
}

// SetVariables sets variables (PUT /v2/element-instances/{key}/variables).
func (c *Client) SetVariables(ctx context.Context, elementInstanceKey int64, req SetVariablesRequest) error {
	vars, err := variablesJSON(req.Variables)
	if err != nil {
		return fmt.Errorf("set variables: %w", err)
	}
	if vars == nil {
		vars = json.RawMessage("{}")
	}
	body := struct {
		Variables json.RawMessage `json:"variables"`
		Local     bool            `json:"local,omitempty"`
	}{vars, req.Local}
	return c.command(ctx, http.MethodPut, "/v2/element-instances/%d/variables", elementInstanceKey, body)
}
