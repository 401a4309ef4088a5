package rest

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// The tenant routes are Camunda 8.8's tenant management. Commands go to the
// engine; reads come from its live state: tenants are few.

// TenantCreateRequest creates a tenant (POST /v2/tenants).
type TenantCreateRequest struct {
	TenantID    string `json:"tenantId"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// TenantUpdateRequest sets a tenant's name and description (PUT
// /v2/tenants/{tenantId}); Camunda 8.8 requires both.
type TenantUpdateRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// TenantUserResult is one user of a tenant.
type TenantUserResult struct {
	Username string `json:"username"`
}

// TenantClientResult is one client of a tenant.
type TenantClientResult struct {
	ClientID string `json:"clientId"`
}

// The searches of the tenant routes. Camunda's tenant filter takes plain
// values only.
var (
	tenantSearch = &searchSpec{name: "tenant", sorts: []string{"key", "name", "tenantId"},
		filters: map[string]filterField{"tenantId": {kind: kindString}, "name": {kind: kindString}}}
	tenantUserSearch   = &searchSpec{name: "tenant user", sorts: []string{"username"}, filters: map[string]filterField{}}
	tenantClientSearch = &searchSpec{name: "tenant client", sorts: []string{"clientId"}, filters: map[string]filterField{}}
)

func tenantResult(t *state.Tenant) TenantResult {
	return TenantResult{TenantID: t.Value.TenantID, Name: t.Value.Name, Description: t.Value.Description}
}

func (s *Server) createTenant(c *gin.Context) {
	var req TenantCreateRequest
	if !s.bind(c, &req, false) {
		return
	}
	if err := checkNewTenant(&req); err != nil {
		s.fail(c, "", err)
		return
	}
	t, err := s.eng.CreateTenant(c.Request.Context(), engine.TenantRequest{TenantID: req.TenantID, Name: req.Name, Description: req.Description})
	if err != nil {
		s.fail(c, "CREATE", err)
		return
	}
	c.PureJSON(http.StatusCreated, TenantResult{TenantID: t.TenantID, Name: t.Name, Description: t.Description})
}

// checkNewTenant validates a create request as Camunda's gateway does.
func checkNewTenant(req *TenantCreateRequest) error {
	switch {
	case req.TenantID == "":
		return bindErrorf("tenantId: No tenantId provided")
	case !engine.ValidTenantID(req.TenantID):
		return bindErrorf("tenantId: expected 1 to %d letters, digits or _ @ . + -, got '%s'", engine.MaxTenantIDLength, req.TenantID)
	case strings.TrimSpace(req.Name) == "":
		return bindErrorf("name: No name provided")
	}
	return nil
}

func (s *Server) getTenant(c *gin.Context) {
	id := c.Param("tenantId")
	var out *TenantResult
	err := s.eng.Read(c.Request.Context(), func(st *state.State) {
		if t := st.Tenant(id); t != nil {
			r := tenantResult(t)
			out = &r
		}
	})
	if err == nil && out == nil {
		err = tenantNotFound(id)
	}
	if err != nil {
		s.fail(c, "", err)
		return
	}
	c.PureJSON(http.StatusOK, out)
}

func tenantNotFound(id string) error {
	return &errNotFound{what: "Tenant with id '" + id + "'"}
}

func (s *Server) updateTenant(c *gin.Context) {
	id := c.Param("tenantId")
	var req TenantUpdateRequest
	if !s.bind(c, &req, false) {
		return
	}
	switch {
	case req.Name == nil || strings.TrimSpace(*req.Name) == "":
		s.fail(c, "", bindErrorf("name: No name provided"))
		return
	case req.Description == nil:
		s.fail(c, "", bindErrorf("description: No description provided"))
		return
	}
	err := s.eng.UpdateTenant(c.Request.Context(), engine.TenantRequest{TenantID: id, Name: *req.Name, Description: *req.Description})
	if err != nil {
		s.fail(c, "UPDATE", err)
		return
	}
	c.PureJSON(http.StatusOK, TenantResult{TenantID: id, Name: *req.Name, Description: *req.Description})
}

func (s *Server) deleteTenant(c *gin.Context) {
	err := s.eng.DeleteTenant(c.Request.Context(), c.Param("tenantId"))
	s.members.invalidate() // before the answer: the caller's next request sees the change
	s.done(c, "DELETE", err)
}

// tenantMember runs a member command on the member named by the path.
func (s *Server) tenantMember(c *gin.Context, entityType, param string, add bool) {
	req := engine.TenantMemberRequest{TenantID: c.Param("tenantId"), EntityType: entityType, EntityID: c.Param(param)}
	command, run := "REMOVE_ENTITY", s.eng.RemoveTenantMember
	if add {
		command, run = "ADD_ENTITY", s.eng.AddTenantMember
	}
	err := run(c.Request.Context(), req)
	s.members.invalidate() // before the answer: the caller's next request sees the change
	s.done(c, command, err)
}

func (s *Server) assignTenantUser(c *gin.Context) {
	s.tenantMember(c, record.TenantEntityUser, "username", true)
}

func (s *Server) unassignTenantUser(c *gin.Context) {
	s.tenantMember(c, record.TenantEntityUser, "username", false)
}

func (s *Server) assignTenantClient(c *gin.Context) {
	s.tenantMember(c, record.TenantEntityClient, "clientId", true)
}

func (s *Server) unassignTenantClient(c *gin.Context) {
	s.tenantMember(c, record.TenantEntityClient, "clientId", false)
}

func (s *Server) searchTenants(c *gin.Context) {
	q, ok := s.parsePlainSearch(c, tenantSearch)
	if !ok {
		return
	}
	var tenants []*state.Tenant
	if err := s.eng.Read(c.Request.Context(), func(st *state.State) {
		for _, t := range st.Tenants() {
			cp := *t
			tenants = append(tenants, &cp)
		}
	}); err != nil {
		s.fail(c, "", err)
		return
	}
	tenants = slices.DeleteFunc(tenants, func(t *state.Tenant) bool {
		for _, cond := range q.Conditions {
			v := t.Value.TenantID
			if cond.Field == "name" {
				v = t.Value.Name
			}
			if v != cond.Value {
				return true
			}
		}
		return false
	})
	slices.SortStableFunc(tenants, func(a, b *state.Tenant) int {
		for _, f := range q.Sort {
			var d int
			switch f.Field {
			case "key":
				d = cmp.Compare(a.Key, b.Key)
			case "name":
				d = cmp.Compare(a.Value.Name, b.Value.Name)
			case "tenantId":
				d = cmp.Compare(a.Value.TenantID, b.Value.TenantID)
			}
			if f.Desc {
				d = -d
			}
			if d != 0 {
				return d
			}
		}
		return cmp.Compare(a.Key, b.Key)
	})
	page, resp, err := listPage(tenants, q)
	if err != nil {
		s.fail(c, "", err)
		return
	}
	out := SearchResult[TenantResult]{Items: make([]TenantResult, 0, len(page)), Page: resp}
	for _, t := range page {
		out.Items = append(out.Items, tenantResult(t))
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) searchTenantUsers(c *gin.Context) {
	ids, page, ok := s.searchMembers(c, tenantUserSearch, record.TenantEntityUser)
	if !ok {
		return
	}
	out := SearchResult[TenantUserResult]{Items: make([]TenantUserResult, 0, len(ids)), Page: page}
	for _, id := range ids {
		out.Items = append(out.Items, TenantUserResult{Username: id})
	}
	c.PureJSON(http.StatusOK, out)
}

func (s *Server) searchTenantClients(c *gin.Context) {
	ids, page, ok := s.searchMembers(c, tenantClientSearch, record.TenantEntityClient)
	if !ok {
		return
	}
	out := SearchResult[TenantClientResult]{Items: make([]TenantClientResult, 0, len(ids)), Page: page}
	for _, id := range ids {
		out.Items = append(out.Items, TenantClientResult{ClientID: id})
	}
	c.PureJSON(http.StatusOK, out)
}

// searchMembers answers a search of one tenant's users or clients: the
// page of member ids, sorted by id. An unknown tenant answers 404.
func (s *Server) searchMembers(c *gin.Context, spec *searchSpec, entityType string) ([]string, SearchPageResponse, bool) {
	q, ok := s.parsePlainSearch(c, spec)
	if !ok {
		return nil, SearchPageResponse{}, false
	}
	id := c.Param("tenantId")
	ids, err := s.tenantMembers(c.Request.Context(), id, entityType)
	if err != nil {
		s.fail(c, "", err)
		return nil, SearchPageResponse{}, false
	}
	slices.Sort(ids)
	if len(q.Sort) > 0 && q.Sort[0].Desc {
		slices.Reverse(ids)
	}
	page, resp, err := listPage(ids, q)
	if err != nil {
		s.fail(c, "", err)
		return nil, SearchPageResponse{}, false
	}
	return page, resp, true
}

// tenantMembers returns the ids of a tenant's members of one entity type.
func (s *Server) tenantMembers(ctx context.Context, tenantID, entityType string) ([]string, error) {
	var ids []string
	found := false
	err := s.eng.Read(ctx, func(st *state.State) {
		if st.Tenant(tenantID) == nil {
			return
		}
		found = true
		for _, m := range st.TenantMembers(tenantID) {
			if m.Value.EntityType == entityType {
				ids = append(ids, m.Value.EntityID)
			}
		}
	})
	if err == nil && !found {
		err = tenantNotFound(tenantID)
	}
	return ids, err
}

// parsePlainSearch parses a search whose filters take plain values only,
// as Camunda's tenant searches do.
func (s *Server) parsePlainSearch(c *gin.Context, spec *searchSpec) (store.Query, bool) {
	q, ok := s.parseSearch(c, spec)
	if !ok {
		return q, false
	}
	for _, cond := range q.Conditions {
		if cond.Op != store.OpEq {
			s.fail(c, "", bindErrorf("filter.%s: expected a plain value (%s searches take no operators), got operator '%s'", cond.Field, spec.name, cond.Op))
			return q, false
		}
	}
	return q, true
}

// listPage returns the page of items q asks for, the list being sorted
// already. Its cursors name positions in the list: lists read from the live
// state are small, and a cursor stays meaningful while the list does not
// change.
func listPage[T any](items []T, q store.Query) ([]T, SearchPageResponse, error) {
	start, end := q.From, len(items)
	if q.After != "" {
		i, err := listCursor("page.after", q.After)
		if err != nil {
			return nil, SearchPageResponse{}, err
		}
		start = i + 1
	}
	if q.Before != "" {
		i, err := listCursor("page.before", q.Before)
		if err != nil {
			return nil, SearchPageResponse{}, err
		}
		end = min(i, len(items))
		start = max(0, end-q.Limit)
	}
	start = min(max(start, 0), len(items))
	end = min(end, start+q.Limit)
	resp := SearchPageResponse{TotalItems: int64(len(items))}
	if start >= end {
		return nil, resp, nil
	}
	resp.StartCursor = wireCursor(listCursorText(start))
	resp.EndCursor = wireCursor(listCursorText(end - 1))
	return items[start:end], resp, nil
}

const listCursorPrefix = "list:"

func listCursorText(i int) string { return listCursorPrefix + strconv.Itoa(i) }

func listCursor(where, text string) (int, error) {
	n, ok := strings.CutPrefix(text, listCursorPrefix)
	i, err := strconv.Atoi(n)
	if !ok || err != nil || i < 0 {
		return 0, bindErrorf("%s: not a cursor returned by this search", where)
	}
	return i, nil
}
