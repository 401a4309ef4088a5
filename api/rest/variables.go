package rest

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

func (s *Server) searchVariables(c *gin.Context) {
	q, ok := s.parseSearch(c, variableSearch)
	if !ok {
		return
	}
	if !resolveVariableFilters(&q) {
		c.PureJSON(http.StatusOK, SearchResult[VariableResult]{Items: []VariableResult{}})
		return
	}
	page, err := s.q.SearchVariables(c.Request.Context(), q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, variablePage(page))
}

// variableTruncated is Camunda 8.8's isTruncated filter field. Values are
// never truncated, so the stores do not keep it: a condition on it is
// decided here, for every variable at once.
const variableTruncated = "isTruncated"

// resolveVariableFilters decides q's conditions on isTruncated (always
// false) and drops them; it returns false when no variable can match.
func resolveVariableFilters(q *store.Query) bool {
	kept := q.Conditions[:0:0]
	for _, c := range q.Conditions {
		if c.Field != variableTruncated {
			kept = append(kept, c)
			continue
		}
		if !constantHolds(false, c) {
			return false
		}
	}
	q.Conditions = kept
	return true
}

// variablePage is the answer to a variable search; values are never
// truncated.
func variablePage(page store.Page[store.Variable]) SearchResult[VariableResult] {
	out := SearchResult[VariableResult]{Items: make([]VariableResult, 0, len(page.Items)), Page: pageOf(page)}
	notTruncated := false
	for _, v := range page.Items {
		r := variableResult(v)
		r.IsTruncated = &notTruncated
		out.Items = append(out.Items, r)
	}
	return out
}

func (s *Server) getVariable(c *gin.Context) {
	key, ok := pathKey(c, "variableKey")
	if !ok {
		return
	}
	p, err := s.q.SearchVariables(c.Request.Context(), byKey("variableKey", key))
	row, err := first(p, err, "Variable", key)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, variableResult(row))
}

func variableResult(v store.Variable) VariableResult {
	return VariableResult{
		Name: v.Name, Value: v.Value, TenantID: tenantOr(v.TenantID), VariableKey: Key(v.VariableKey),
		ScopeKey: Key(v.ScopeKey), ProcessInstanceKey: Key(v.ProcessInstanceKey),
	}
}
