package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

func (s *Server) searchIncidents(c *gin.Context) {
	q, ok := s.parseSearch(c, incidentSearch)
	if !ok {
		return
	}
	s.answerIncidents(c, q)
}

func (s *Server) searchInstanceIncidents(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	q, ok := s.parseSearch(c, instanceIncidentSearch)
	if !ok {
		return
	}
	p, err := s.q.SearchProcessInstances(c.Request.Context(), byKey("processInstanceKey", key))
	if _, err = first(p, err, "Process instance", key); err != nil {
		s.fail(c, "", err)
		return
	}
	q.Conditions = append(q.Conditions, store.Condition{Field: "processInstanceKey", Op: store.OpEq, Value: key})
	s.answerIncidents(c, q)
}

func (s *Server) answerIncidents(c *gin.Context, q store.Query) {
	page, err := s.q.SearchIncidents(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[IncidentResult]{Items: make([]IncidentResult, 0, len(page.Items)), Page: pageOf(page)}
	for _, i := range page.Items {
		out.Items = append(out.Items, incidentResult(i))
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) getIncident(c *gin.Context) {
	key, ok := pathKey(c, "incidentKey")
	if !ok {
		return
	}
	p, err := s.q.SearchIncidents(c.Request.Context(), byKey("incidentKey", key))
	row, err := first(p, err, "Incident", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, incidentResult(row))
}

func (s *Server) resolveIncident(c *gin.Context) {
	s.keyCommand(c, "incidentKey", "RESOLVE", s.eng.ResolveIncident)
}

func incidentResult(i store.Incident) IncidentResult {
	return IncidentResult{
		ProcessDefinitionID: i.ProcessDefinitionID, ErrorType: i.ErrorType, ErrorMessage: i.ErrorMessage, ElementID: i.ElementID,
		CreationTime: dateTime(i.CreationTime), State: i.State, TenantID: tenantOr(i.TenantID), IncidentKey: Key(i.IncidentKey),
		ProcessDefinitionKey: Key(i.ProcessDefinitionKey), ProcessInstanceKey: Key(i.ProcessInstanceKey),
		ElementInstanceKey: Key(i.ElementInstanceKey), JobKey: optKey(i.JobKey),
	}
}
