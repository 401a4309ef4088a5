package client

import (
	"context"
	"net/http"
)

// ProcessDefinition is a deployed process definition.
type ProcessDefinition struct {
	Name                 string `json:"name"`
	ResourceName         string `json:"resourceName"`
	Version              int32  `json:"version"`
	VersionTag           string `json:"versionTag,omitempty"`
	ProcessDefinitionID  string `json:"processDefinitionId"`
	TenantID             string `json:"tenantId"`
	ProcessDefinitionKey int64  `json:"processDefinitionKey,string"`
	HasStartForm         bool   `json:"hasStartForm"`
}

// SearchProcessDefinitions searches process definitions (POST
// /v2/process-definitions/search).
func (c *Client) SearchProcessDefinitions(ctx context.Context, q ProcessDefinitionQuery) (*SearchResult[ProcessDefinition], error) {
	return search[ProcessDefinition](ctx, c, "/v2/process-definitions/search", q.body())
}

// GetProcessDefinition returns a process definition (GET
// /v2/process-definitions/{key}).
func (c *Client) GetProcessDefinition(ctx context.Context, key int64) (*ProcessDefinition, error) {
	return get[ProcessDefinition](ctx, c, "/v2/process-definitions/%d", key)
}

// GetProcessDefinitionXML returns the deployed BPMN XML of a process
// definition (GET /v2/process-definitions/{key}/xml); it is empty when the
// definition has none.
func (c *Client) GetProcessDefinitionXML(ctx context.Context, key int64) ([]byte, error) {
	p, err := keyPath("/v2/process-definitions/%d/xml", key)
	if err != nil {
		return nil, err
	}
	res, err := c.send(ctx, call{method: http.MethodGet, path: p, accept: "text/xml", retry: retrySafe})
	if err != nil {
		return nil, err
	}
	return res.body, nil
}

// search posts a search and decodes its page.
func search[T any](ctx context.Context, c *Client, path string, body any) (*SearchResult[T], error) {
	r, err := c.post(path, body)
	if err != nil {
		return nil, err
	}
	var out SearchResult[T]
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// get reads one entity by key.
func get[T any](ctx context.Context, c *Client, format string, key int64) (*T, error) {
	p, err := keyPath(format, key)
	if err != nil {
		return nil, err
	}
	var out T
	if err := c.doJSON(ctx, call{method: http.MethodGet, path: p, retry: retrySafe}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// command posts a command that answers 204 to a route with a key.
func (c *Client) command(ctx context.Context, method, format string, key int64, body any) error {
	p, err := keyPath(format, key)
	if err != nil {
		return err
	}
	r := call{method: method, path: p, retry: c.retryable(method, p)}
	if err := r.setJSON(body); err != nil {
		return err
	}
	return c.doJSON(ctx, r, nil)
}
