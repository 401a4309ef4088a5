package rest

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

func (s *Server) searchDefinitions(c *gin.Context) {
	q, ok := s.parseSearch(c, definitionSearch)
	if !ok {
		return
	}
	page, err := s.q.SearchProcessDefinitions(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[ProcessDefinitionResult]{Items: make([]ProcessDefinitionResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, p := range page.Items {
		r, err := s.definitionResult(c.Request.Context(), p)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		out.Items = append(out.Items, r)
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) getDefinition(c *gin.Context) {
	key, ok := pathKey(c, "processDefinitionKey")
	if !ok {
		return
	}
	p, err := s.q.SearchProcessDefinitions(c.Request.Context(), byKey("processDefinitionKey", key))
	row, err := first(p, err, "Process definition", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	r, err := s.definitionResult(c.Request.Context(), row)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, r)
}

func (s *Server) getDefinitionXML(c *gin.Context) {
	key, ok := pathKey(c, "processDefinitionKey")
	if !ok {
		return
	}
	def, err := s.defs.get(c.Request.Context(), key)
	switch {
	case err != nil:
		s.fail(c, "", err)
	case def == nil:
		notFound(c, "Process definition with key '%d' not found", key)
	case len(def.Resource) == 0:
		c.Status(http.StatusNoContent)
	default:
		c.Data(http.StatusOK, "text/xml; charset=utf-8", def.Resource)
	}
}

// definitionResult maps a definition's row; whether it has a start form
// comes from its model (cached in s.defs).
func (s *Server) definitionResult(ctx context.Context, p store.ProcessDefinition) (ProcessDefinitionResult, error) {
	name := p.Name
	if name == "" {
		name = p.ProcessDefinitionID
	}
	def, err := s.defs.get(ctx, p.ProcessDefinitionKey)
	if err != nil {
		return ProcessDefinitionResult{}, err
	}
	return ProcessDefinitionResult{
		Name: name, ResourceName: p.ResourceName, Version: p.Version, VersionTag: p.VersionTag,
		ProcessDefinitionID: p.ProcessDefinitionID, TenantID: p.TenantID, ProcessDefinitionKey: Key(p.ProcessDefinitionKey),
		HasStartForm: def != nil && def.hasStartForm,
	}, nil
}
