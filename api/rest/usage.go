package rest

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/store"
)

// UsageMetricsResponseItem is the usage of one tenant, or of all together.
type UsageMetricsResponseItem struct {
	ProcessInstances  int64 `json:"processInstances"`
	DecisionInstances int64 `json:"decisionInstances"`
	Assignees         int64 `json:"assignees"`
}

// UsageMetricsResponse is Camunda 8.8's usage metrics answer.
type UsageMetricsResponse struct {
	UsageMetricsResponseItem
	ActiveTenants int64                               `json:"activeTenants"`
	Tenants       map[string]UsageMetricsResponseItem `json:"tenants"`
}

// usageTimeLayouts are the forms startTime and endTime take: RFC 3339, and
// ISO 8601 with an offset without a colon, as Camunda's documentation
// writes them (2025-09-16T12:30:45.123+0000).
var usageTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"}

// usageTime reads the query parameter name as a date-time.
func usageTime(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	for _, layout := range usageTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, bindErrorf("%s: expected an ISO 8601 date-time (2025-09-16T12:30:45.123Z or 2025-09-16T12:30:45.123+0000), got '%s'", name, v)
}

// usageMetrics serves GET /v2/system/usage-metrics: the root process
// instances started and the distinct users user tasks were assigned to
// between startTime and endTime (both included), over the tenants the
// caller may see, or tenantId only.
func (s *Server) usageMetrics(c *gin.Context) {
	ctx := c.Request.Context()
	from, err := usageTime(c, "startTime")
	if err != nil {
		s.fail(c, "", err)
		return
	}
	to, err := usageTime(c, "endTime")
	if err != nil {
		s.fail(c, "", err)
		return
	}
	if to.Before(from) {
		s.fail(c, "", bindErrorf("endTime: expected a time not before startTime '%s', got '%s'", c.Query("startTime"), c.Query("endTime")))
		return
	}
	withTenants := false
	if v, ok := c.GetQuery("withTenants"); ok {
		if withTenants, err = strconv.ParseBool(v); err != nil {
			s.fail(c, "", bindErrorf("withTenants: expected true or false, got '%s'", v))
			return
		}
	}
	q := store.UsageQuery{From: from, To: to, Tenants: s.readTenants(ctx)}
	if v, ok := c.GetQuery("tenantId"); ok {
		if q.Tenant, err = s.requestTenant(ctx, v); err != nil {
			s.fail(c, "", err)
			return
		}
	}
	uq, ok := s.q.(store.UsageQuerier)
	if !ok {
		writeProblem(c, http.StatusNotImplemented, "NOT_IMPLEMENTED", "This store cannot count usage metrics.")
		return
	}
	perTenant, assignees, err := uq.Usage(ctx, q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := UsageMetricsResponse{UsageMetricsResponseItem: UsageMetricsResponseItem{Assignees: assignees},
		Tenants: map[string]UsageMetricsResponseItem{}}
	ids := make([]string, 0, len(perTenant))
	for id := range perTenant {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		u := perTenant[id]
		if u.ProcessInstances == 0 && u.Assignees == 0 {
			continue
		}
		out.ProcessInstances += u.ProcessInstances
		out.ActiveTenants++
		if withTenants {
			out.Tenants[tenantOr(id)] = UsageMetricsResponseItem{ProcessInstances: u.ProcessInstances, Assignees: u.Assignees}
		}
	}
	c.PureJSON(http.StatusOK, out)
}
