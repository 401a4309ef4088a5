package client

import (
	"context"
	"encoding/json"
	"fmt"
)

// Variable is a process variable. Value is the value as JSON text.
type Variable struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// IsTruncated is set in searches; wf-engine never truncates values.
	IsTruncated        bool   `json:"isTruncated"`
	TenantID           string `json:"tenantId"`
	VariableKey        int64  `json:"variableKey,string"`
	ScopeKey           int64  `json:"scopeKey,string"`
	ProcessInstanceKey int64  `json:"processInstanceKey,string"`
}

// Decode unmarshals the variable's value into v.
func (v *Variable) Decode(out any) error {
	if err := json.Unmarshal([]byte(v.Value), out); err != nil {
		return fmt.Errorf("variable %s: %w", v.Name, err)
	}
	return nil
}

// SearchVariables searches variables (POST /v2/variables/search).
func (c *Client) SearchVariables(ctx context.Context, q VariableQuery) (*SearchResult[Variable], error) {
	return search[Variable](ctx, c, "/v2/variables/search", q.body())
}

// GetVariable returns a variable with its full value (GET
// /v2/variables/{key}).
func (c *Client) GetVariable(ctx context.Context, key int64) (*Variable, error) {
	return get[Variable](ctx, c, "/v2/variables/%d", key)
}
