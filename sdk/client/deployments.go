package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
)

// Resource is one file to deploy: a BPMN model (.bpmn or .xml).
type Resource struct {
	// Name is the file name; its extension tells the server what it is.
	Name    string
	Content []byte
}

// DeployRequest deploys resources together.
type DeployRequest struct {
	Resources []Resource
	// TenantID is empty for the default tenant.
	TenantID string
}

// Deployment is the answer to a deployment.
type Deployment struct {
	DeploymentKey int64            `json:"deploymentKey,string"`
	TenantID      string           `json:"tenantId"`
	Deployments   []DeploymentItem `json:"deployments"`
}

// DeploymentItem is one deployed resource.
type DeploymentItem struct {
	ProcessDefinition *DeployedProcess `json:"processDefinition,omitempty"`
}

// DeployedProcess is a deployed process definition: a new version, or the
// existing one when the resource did not change.
type DeployedProcess struct {
	ProcessDefinitionID      string `json:"processDefinitionId"`
	ProcessDefinitionVersion int32  `json:"processDefinitionVersion"`
	ResourceName             string `json:"resourceName"`
	TenantID                 string `json:"tenantId"`
	ProcessDefinitionKey     int64  `json:"processDefinitionKey,string"`
}

// Processes returns the deployed process definitions.
func (d *Deployment) Processes() []DeployedProcess {
	var out []DeployedProcess
	for _, it := range d.Deployments {
		if it.ProcessDefinition != nil {
			out = append(out, *it.ProcessDefinition)
		}
	}
	return out
}

// Deploy deploys resources (POST /v2/deployments, multipart/form-data).
func (c *Client) Deploy(ctx context.Context, req DeployRequest) (*Deployment, error) {
	if len(req.Resources) == 0 {
		return nil, errors.New("deploy: expected at least one resource")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i, r := range req.Resources {
		name := path.Base(strings.ReplaceAll(r.Name, "\\", "/"))
		if name == "" || name == "." || name == "/" {
			return nil, fmt.Errorf("deploy: resources[%d]: expected a file name, got %q", i, r.Name)
		}
		w, err := mw.CreateFormFile("resources", name)
		if err != nil {
			return nil, fmt.Errorf("deploy: resources[%d]: %w", i, err)
		}
		if _, err := w.Write(r.Content); err != nil {
			return nil, fmt.Errorf("deploy: resources[%d]: %w", i, err)
		}
	}
	if req.TenantID != "" {
		if err := mw.WriteField("tenantId", req.TenantID); err != nil {
			return nil, fmt.Errorf("deploy: tenantId: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	r := call{method: http.MethodPost, path: "/v2/deployments", body: buf.Bytes(), contentType: mw.FormDataContentType(),
		retry: c.retryable(http.MethodPost, "/v2/deployments")}
	var out Deployment
	if err := c.doJSON(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
