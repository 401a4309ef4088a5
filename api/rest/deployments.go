package rest

import (
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

func (s *Server) deploy(c *gin.Context) {
	form, ok := s.multipartForm(c, "resources", "tenantId")
	if !ok {
		return
	}
	defer func() { _ = form.RemoveAll() }()
	tenant, err := deploymentTenant(form)
	if err == nil {
		tenant, err = s.requestTenant(c.Request.Context(), tenant)
	}
	if err != nil {
		s.fail(c, "", err)
		return
	}
	resources, err := readResources(form.File["resources"])
	if err != nil {
		s.fail(c, "", err)
		return
	}
	d, err := s.eng.Deploy(c.Request.Context(), engine.DeployRequest{Resources: resources, TenantID: tenant})
	if err != nil {
		s.fail(c, "CREATE", err)
		return
	}
	out := DeploymentResult{DeploymentKey: Key(d.Key), TenantID: tenantOr(tenant), Deployments: []DeploymentMetadataResult{}}
	for _, p := range d.Processes {
		out.Deployments = append(out.Deployments, DeploymentMetadataResult{ProcessDefinition: &DeploymentProcessResult{
			ProcessDefinitionID: p.BPMNProcessID, ProcessDefinitionVersion: p.Version, ResourceName: p.ResourceName,
			TenantID: p.TenantID, ProcessDefinitionKey: Key(p.ProcessDefinitionKey),
		}})
	}
	out.Deployments = append(out.Deployments, formsOfDeployment(d.Forms)...)
	c.PureJSON(http.StatusOK, out)
}

// deploymentTenant reads a deployment form's one optional tenantId part.
func deploymentTenant(form *multipart.Form) (string, error) {
	if fhs := form.File["tenantId"]; len(fhs) > 0 {
		return "", bindErrorf("tenantId: expected a part without a file name, got the file %q", fhs[0].Filename)
	}
	switch t := form.Value["tenantId"]; len(t) {
	case 0:
		return "", nil
	case 1:
		return t[0], storable("tenantId", t[0])
	default:
		return "", bindErrorf("tenantId: expected one part named 'tenantId', got %d", len(t))
	}
}

// readResources reads the uploaded files; BPMN files and Camunda Forms
// (.form) are deployable.
func readResources(files []*multipart.FileHeader) ([]record.Resource, error) {
	if len(files) == 0 {
		return nil, bindErrorf("resources: expected at least one file part named 'resources'")
	}
	out := make([]record.Resource, 0, len(files))
	for _, fh := range files {
		switch strings.ToLower(path.Ext(fh.Filename)) {
		case ".bpmn", ".xml", ".form":
		default:
			return nil, bindErrorf("resources: '%s' is neither a BPMN file (.bpmn or .xml) nor a Camunda Form (.form); decisions and other resources are not supported yet", fh.Filename)
		}
		if err := storable("resources: file name", fh.Filename); err != nil {
			return nil, err
		}
		f, err := fh.Open()
		if err != nil {
			return nil, bindErrorf("resources: cannot read '%s': %v", fh.Filename, err)
		}
		b, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, bindErrorf("resources: cannot read '%s': %v", fh.Filename, err)
		}
		out = append(out, record.Resource{Name: fh.Filename, Content: b})
	}
	return out, nil
}
