package rest_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/auth"
	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/store/memstore"
)

// fakeAuth authenticates "Bearer role:<role>[,<role>...]" with optional
// ";tenants:<id>,...", ";user:<name>" and ";groups:<g>,..." (defaults:
// tenant <default>, user tester) and nothing else;
// the real authenticators are tested in api/auth.
type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "No credentials", Challenge: `Bearer realm="wf-engine"`}
	}
	list, ok := strings.CutPrefix(h, "Bearer role:")
	if !ok {
		return nil, &auth.Error{Status: http.StatusUnauthorized, Title: "UNAUTHORIZED", Detail: "Bad credentials", Challenge: `Bearer realm="wf-engine", error="invalid_token"`}
	}
	p := &auth.Principal{Subject: "tester", Name: "tester", Tenants: []string{"<default>"}}
	parts := strings.Split(list, ";")
	list = parts[0]
	for _, part := range parts[1:] {
		k, v, _ := strings.Cut(part, ":")
		switch k {
		case "tenants":
			p.Tenants = strings.Split(v, ",")
		case "user":
			p.Subject, p.Name = v, v
		case "groups":
			p.Groups = strings.Split(v, ",")
		}
	}
	for _, r := range strings.Split(list, ",") {
		if r != "" {
			p.Roles = append(p.Roles, auth.Role(r))
		}
	}
	return p, nil
}

func bearer(roles ...auth.Role) []string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return []string{"Authorization", "Bearer role:" + strings.Join(names, ",")}
}

// samplePath fills a route's path parameters.
func samplePath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "2251799813685249"
		}
	}
	return strings.Join(parts, "/")
}

// TestEveryRouteByRole walks every route with no credentials, bad
// credentials and each role alone: a route a role may not call answers 403
// with a problem naming the route; one it may call never answers 401 or
// 403 (it may answer 400 or 404 for the sample request); without
// credentials 401 with a challenge, except for the open routes.
//
// It runs on every store: the answers of an allowed role come from the
// store's searches.
func TestEveryRouteByRole(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			clk := clock.NewControlled(clock.System{}) // the clock routes answer 403 on a server whose clock is fixed
			c := startWithClock(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Clock: clk, Multitenancy: true}, clk)
			walkRoutes(t, c)
		})
	}
}

func walkRoutes(t *testing.T, c *client) {
	perms := c.srv.Permissions()
	if len(perms) < 40 {
		t.Fatalf("only %d routes in the permission table", len(perms))
	}
	for _, p := range perms {
		path := samplePath(p.Path)
		t.Run(p.Method+" "+p.Path, func(t *testing.T) {
			r := c.send(p.Method, path, nil)
			switch {
			case p.Open:
				if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
					t.Fatalf("open route answered %d without credentials: %s", r.status, r.body)
				}
			default:
				want(t, r, http.StatusUnauthorized)
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("401 without a challenge: %v", r.header)
				}
				want(t, c.send(p.Method, path, nil, "Authorization", "Basic Zm9vOmJhcg=="), http.StatusUnauthorized)
			}
			for _, role := range auth.Roles {
				r := c.send(p.Method, path, nil, bearer(role)...)
				if p.Open || p.Allowed[role] {
					if r.status == http.StatusUnauthorized || r.status == http.StatusForbidden {
						t.Fatalf("role %s may call it but got %d: %s", role, r.status, r.body)
					}
					continue
				}
				want(t, r, http.StatusForbidden)
				if !strings.Contains(string(r.body), p.Path) || !strings.Contains(string(r.body), string(role)) {
					t.Fatalf("403 must name the route and the caller's role: %s", r.body)
				}
			}
			// No role at all: authenticated, allowed nowhere but the open
			// routes and those every principal may call.
			r = c.send(p.Method, path, nil, "Authorization", "Bearer role:")
			if !p.Open && (r.status == http.StatusUnauthorized) {
				t.Fatalf("a principal without roles is authenticated: %d %s", r.status, r.body)
			}
		})
	}
}

// TestPermissionMatrixShape pins the rules the docs promise.
func TestPermissionMatrixShape(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}})
	for _, p := range c.srv.Permissions() {
		route := p.Method + " " + p.Path
		if !p.Open && !p.Allowed[auth.RoleAdmin] {
			t.Errorf("%s: admin may do everything", route)
		}
		if p.Allowed[auth.RoleWorker] && !p.Allowed[auth.RoleUser] && !strings.HasPrefix(p.Path, "/v2/jobs/") && !p.Open {
			t.Errorf("%s: a worker's only routes are job routes (and who-am-I/topology)", route)
		}
		if p.Allowed[auth.RoleUser] && !p.Allowed[auth.RoleWorker] && !strings.HasPrefix(p.Path, "/v2/user-tasks") && !strings.HasPrefix(p.Path, "/v2/x/user-tasks") {
			t.Errorf("%s: a user's only routes are user-task routes (and who-am-I/topology)", route)
		}
		// A document link carries its own credential: a signature.
		if p.Open && !slices.Contains([]string{"/healthz", "/readyz", "/v2/status", "/v2/license", "/v2/x/documents/{documentId}/content"}, p.Path) {
			t.Errorf("%s: only the health probes, status and license (as in Camunda), and signed document links, are open", route)
		}
	}
}

// TestPermissionTableInDocs keeps docs/security.md's matrix the one the
// code enforces. Run with WF_UPDATE_DOCS=1 to rewrite it.
func TestPermissionTableInDocs(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	path := filepath.Join("..", "..", "docs", "security.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- permission table: begin -->\n", "<!-- permission table: end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", path, begin, end)
	}
	table := c.srv.PermissionTable()
	if got := string(doc[i+len(begin) : j]); got != table {
		if os.Getenv("WF_UPDATE_DOCS") == "1" {
			out := string(doc[:i+len(begin)]) + table + string(doc[j:])
			if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Fatalf("docs/security.md's permission table is not the code's; run WF_UPDATE_DOCS=1 go test -run TestPermissionTableInDocs ./api/rest/\nwant:\n%s", table)
	}
}

func TestAuthenticationOffGuardsLoopback(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	req, err := http.NewRequest(http.MethodGet, c.base+"/v2/topology", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "wf.example.com" // as a DNS-rebound page would send it
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a non-loopback Host with authentication off: %d", res.StatusCode)
	}
	want(t, c.send(http.MethodPost, "/v2/process-instances/search", "{}", "Origin", "https://evil.example"), http.StatusForbidden)
	// Another loopback origin is another site too (a page another local
	// program serves); the server's own origin is its web app.
	want(t, c.send(http.MethodPost, "/v2/process-instances/search", "{}", "Origin", "http://localhost:5173"), http.StatusForbidden)
	want(t, c.send(http.MethodPost, "/v2/process-instances/search", "{}", "Origin", c.base), http.StatusOK)
	r := want(t, c.get("/v2/authentication/me"), http.StatusOK).obj(t)
	if r["authenticationMode"] != "none" || r["username"] != "anonymous" {
		t.Fatalf("me with authentication off: %v", r)
	}
}

func TestMe(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc"})
	r := want(t, c.send(http.MethodGet, "/v2/authentication/me", nil, bearer(auth.RoleUser)...), http.StatusOK).obj(t)
	if r["username"] != "tester" || r["authenticationMode"] != "oidc" {
		t.Fatalf("me: %v", r)
	}
	if comps, _ := r["authorizedComponents"].([]any); len(comps) != 1 || comps[0] != "tasklist" {
		t.Fatalf("a user sees the tasklist only: %v", r["authorizedComponents"])
	}
	if roles, _ := r["roles"].([]any); len(roles) != 1 || roles[0] != "user" {
		t.Fatalf("roles: %v", r["roles"])
	}
}

func TestMetricsAuth(t *testing.T) {
	closed := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}})
	want(t, closed.get("/metrics"), http.StatusUnauthorized)
	want(t, closed.send(http.MethodGet, "/metrics", nil, bearer(auth.RoleWorker)...), http.StatusForbidden)
	want(t, closed.send(http.MethodGet, "/metrics", nil, bearer(auth.RoleOperator)...), http.StatusOK)
	open := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}, MetricsOpen: true})
	want(t, open.get("/v2/topology"), http.StatusUnauthorized)
	if r := want(t, open.get("/metrics"), http.StatusOK); !strings.Contains(string(r.body), `wf_http_auth_failures_total{status="401"} 1`) {
		t.Fatalf("the refused request is not counted in wf_http_auth_failures_total:\n%s", r.body)
	}
}
