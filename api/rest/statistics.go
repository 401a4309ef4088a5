package rest

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// ElementStatisticsResult counts the instances of one element, as Camunda
// 8.8's element-instance statistics do.
type ElementStatisticsResult struct {
	ElementID string `json:"elementId"`
	// Active counts the instances active without an open incident,
	// Incidents those active with one, Canceled the terminated ones.
	Active    int64 `json:"active"`
	Canceled  int64 `json:"canceled"`
	Incidents int64 `json:"incidents"`
	Completed int64 `json:"completed"`
}

// ElementStatisticsQueryResult is the answer of both statistics routes.
type ElementStatisticsQueryResult struct {
	Items []ElementStatisticsResult `json:"items"`
}

// ElementStatisticsRequest is the optional body of the definition's
// statistics: a filter over its process instances.
type ElementStatisticsRequest struct {
	Filter map[string]json.RawMessage `json:"filter"`
}

// definitionStatistics serves POST
// /v2/process-definitions/{processDefinitionKey}/statistics/element-instances.
func (s *Server) definitionStatistics(c *gin.Context) {
	key, ok := pathKey(c, "processDefinitionKey")
	if !ok {
		return
	}
	var req ElementStatisticsRequest
	if !s.bind(c, &req, true) {
		return
	}
	q, err := buildQuery(&SearchRequest{Filter: req.Filter}, instanceSearch)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	p, err := s.q.SearchProcessDefinitions(c.Request.Context(), byKey("processDefinitionKey", key))
	if _, err = first(p, err, "Process definition", key); err != nil {
		s.fail(c, "", err)
		return
	}
	q.Conditions = append(q.Conditions, store.Condition{Field: "processDefinitionKey", Op: store.OpEq, Value: key})
	s.answerStatistics(c, store.Query{Conditions: q.Conditions, Variables: q.Variables, Or: q.Or})
}

// instanceStatistics serves GET
// /v2/process-instances/{processInstanceKey}/statistics/element-instances.
func (s *Server) instanceStatistics(c *gin.Context) {
	key, ok := pathKey(c, "processInstanceKey")
	if !ok {
		return
	}
	p, err := s.q.SearchProcessInstances(c.Request.Context(), byKey("processInstanceKey", key))
	if _, err = first(p, err, "Process instance", key); err != nil {
		s.fail(c, "", err)
		return
	}
	s.answerStatistics(c, byKey("processInstanceKey", key))
}

// answerStatistics counts the element instances of the process instances q
// selects, among those the caller may see.
func (s *Server) answerStatistics(c *gin.Context, q store.Query) {
	sq, ok := s.q.(store.StatisticsQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store cannot count element instances.")
		return
	}
	q.From, q.Limit = 0, 0
	q.Tenants = s.readTenants(c.Request.Context())
	stats, err := sq.ElementStatistics(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := ElementStatisticsQueryResult{Items: make([]ElementStatisticsResult, 0, len(stats))}
	for _, e := range stats {
		out.Items = append(out.Items, ElementStatisticsResult{ElementID: e.ElementID, Active: e.Active,
			Canceled: e.Canceled, Incidents: e.Incidents, Completed: e.Completed})
	}
	c.PureJSON(http.StatusOK, out)
}
