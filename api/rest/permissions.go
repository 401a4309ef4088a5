package rest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/wf-engine/api/auth"
)

// access is who may call a route: the permission table is the route table
// (Server.table), one access per route, rendered into docs/security.md by
// PermissionTable.
type access struct {
	// open routes answer without authentication (health probes).
	open bool
	// metrics is /metrics: open or admin/operator, as Config.MetricsAuth says.
	metrics bool
	// roles may call the route; any authenticated principal when empty and
	// authenticated is set.
	roles []auth.Role
	// authenticated lets every authenticated principal in, whatever its roles.
	authenticated bool
	// note says what the handler restricts further (shown in the docs).
	note string
}

// The access rules of the route table.
var (
	// public: health probes, and as in Camunda status and license; never
	// authenticated.
	public = access{open: true}
	// anyone authenticated: who am I, topology.
	anyone = access{authenticated: true}
	// operate: run and repair processes, read everything.
	operate = access{roles: []auth.Role{auth.RoleAdmin, auth.RoleOperator}}
	// jobWork: workers' routes.
	jobWork = access{roles: []auth.Role{auth.RoleAdmin, auth.RoleOperator, auth.RoleWorker}}
	// taskWork: the tasklist; a user sees and changes only its own tasks.
	taskWork = access{roles: []auth.Role{auth.RoleAdmin, auth.RoleOperator, auth.RoleUser},
		note: "a user only sees tasks it is the assignee or a candidate (user or group) of, assigns them only to itself and completes only its own"}
	// taskEvents: the tasklist's change notifications.
	taskEvents = access{roles: taskWork.roles, note: "the stream carries no task data, only that user tasks changed"}
	// adminOnly: the clock, tenants, the audit log.
	adminOnly = access{roles: []auth.Role{auth.RoleAdmin}}
	// documentWork: Camunda's documents, which workers, connectors and
	// task forms upload and read.
	// Reading and linking need the document's contentHash, and with
	// multi-tenancy a member of the document's tenant (docs/api.md).
	documentWork = access{roles: []auth.Role{auth.RoleAdmin, auth.RoleOperator, auth.RoleWorker, auth.RoleUser}}
	// documentLink: a signed document link, which is its own credential.
	documentLink = access{open: true, note: "only with a valid, unexpired signature from createDocumentLink"}
	// metricsAccess: /metrics.
	metricsAccess = access{metrics: true, roles: []auth.Role{auth.RoleAdmin, auth.RoleOperator}, note: "open when http.metrics_auth is none"}
)

// allows reports whether p may call a route with this access.
func (a access) allows(p *auth.Principal) bool {
	if a.open {
		return true
	}
	if p == nil {
		return false
	}
	if a.authenticated {
		return true
	}
	for _, role := range a.roles {
		if p.Has(role) {
			return true
		}
	}
	return false
}

// describe is the access as the docs show it for one role: "yes", "no" or
// "own" (allowed, restricted by the handler).
func (a access) describe(role auth.Role) string {
	switch {
	case a.open:
		return "open"
	case a.authenticated:
		return "yes"
	case !slices.Contains(a.roles, role):
		return "no"
	case role == auth.RoleUser && a.note != "":
		return "own"
	}
	return "yes"
}

// PermissionTable renders the route table's permissions as a Markdown
// table: one row per route, one column per role. docs/security.md holds
// it; a test keeps the two the same.
func (s *Server) PermissionTable() string {
	var b strings.Builder
	b.WriteString("| Route |")
	for _, role := range auth.Roles {
		fmt.Fprintf(&b, " %s |", role)
	}
	b.WriteString(" Notes |\n|---|")
	for range auth.Roles {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, rt := range s.table() {
		fmt.Fprintf(&b, "| `%s %s` |", rt.method, openAPIPath(rt.path))
		for _, role := range auth.Roles {
			fmt.Fprintf(&b, " %s |", rt.allow.describe(role))
		}
		fmt.Fprintf(&b, " %s |\n", rt.allow.note)
	}
	return b.String()
}

// RoutePermission is who may call one route, for tests and docs.
type RoutePermission struct {
	// Method and Path name the route (Path in OpenAPI form, /a/{b}).
	Method, Path string
	// Open routes need no authentication; Metrics is /metrics, open when
	// Config.MetricsOpen says so.
	Open, Metrics bool
	// Allowed tells, per role, whether a principal with only that role may
	// call the route.
	Allowed map[auth.Role]bool
}

// Permissions lists every route with who may call it.
func (s *Server) Permissions() []RoutePermission {
	var out []RoutePermission
	for _, rt := range s.table() {
		p := RoutePermission{Method: rt.method, Path: openAPIPath(rt.path), Open: rt.allow.open, Metrics: rt.allow.metrics, Allowed: map[auth.Role]bool{}}
		for _, role := range auth.Roles {
			p.Allowed[role] = rt.allow.allows(&auth.Principal{Roles: []auth.Role{role}})
		}
		out = append(out, p)
	}
	return out
}
