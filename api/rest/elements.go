package rest

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store"
)

func (s *Server) searchElements(c *gin.Context) {
	q, ok := s.parseSearch(c, elementSearch)
	if !ok {
		return
	}
	page, err := s.q.SearchElementInstances(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[ElementInstanceResult]{Items: make([]ElementInstanceResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, e := range page.Items {
		r, err := s.elementResult(c.Request.Context(), e)
		if err != nil {
			s.fail(c, "", err)
			return
		}
		out.Items = append(out.Items, r)
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) getElement(c *gin.Context) {
	key, ok := pathKey(c, "elementInstanceKey")
	if !ok {
		return
	}
	p, err := s.q.SearchElementInstances(c.Request.Context(), byKey("elementInstanceKey", key))
	row, err := first(p, err, "Element instance", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	r, err := s.elementResult(c.Request.Context(), row)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, r)
}

func (s *Server) elementResult(ctx context.Context, e store.ElementInstance) (ElementInstanceResult, error) {
	def, err := s.defs.get(ctx, e.ProcessDefinitionKey)
	if err != nil {
		return ElementInstanceResult{}, err
	}
	return ElementInstanceResult{
		ProcessDefinitionID: e.ProcessDefinitionID, StartDate: dateTime(e.StartDate), EndDate: dateTime(e.EndDate),
		ElementID: e.ElementID, ElementName: def.elementName(e.ElementID), Type: e.Type, State: e.State,
		HasIncident: e.HasIncident, TenantID: e.TenantID, ElementInstanceKey: Key(e.ElementInstanceKey),
		ProcessInstanceKey: Key(e.ProcessInstanceKey), ProcessDefinitionKey: Key(e.ProcessDefinitionKey),
		IncidentKey: optKey(e.IncidentKey),
	}, nil
}

func (s *Server) setVariables(c *gin.Context) {
	key, ok := pathKey(c, "elementInstanceKey")
	if !ok {
		return
	}
	var req SetVariableRequest
	if !s.bind(c, &req, false) {
		return
	}
	vars, err := s.variables(req.Variables)
	if err == nil && vars == nil {
		err = bindErrorf("variables: expected a JSON object, but it is missing")
	}
	if err != nil {
		s.fail(c, "", err)
		return
	}
	if err := s.eng.SetVariables(c.Request.Context(), engine.SetVariablesRequest{ScopeKey: key, Variables: vars, Local: req.Local}); err != nil {
		s.fail(c, "UPDATE", err)
		return
	}
	c.Status(http.StatusNoContent)
}
