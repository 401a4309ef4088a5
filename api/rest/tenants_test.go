package rest_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

var defaultTenantPath = "/v2/tenants/" + url.PathEscape("<default>")

// tenantIDs returns the tenantId of each item of a search answer.
func tenantIDs(t *testing.T, r *response) []string {
	t.Helper()
	var out []string
	for _, it := range r.obj(t)["items"].([]any) {
		out = append(out, str(it.(map[string]any), "tenantId"))
	}
	return out
}

// memberIDs returns the field of each item of a member search answer.
func memberIDs(t *testing.T, r *response, field string) []string {
	t.Helper()
	out := []string{}
	for _, it := range r.obj(t)["items"].([]any) {
		out = append(out, str(it.(map[string]any), field))
	}
	return out
}

// problem checks a problem answer's status and title and that its detail
// names what it should.
func problem(t *testing.T, r *response, status int, titleWant, detail string) {
	t.Helper()
	want(t, r, status)
	p := r.obj(t)
	if titleWant != "" && p["title"] != titleWant {
		t.Fatalf("title %v, want %s: %s", p["title"], titleWant, r.body)
	}
	if !strings.Contains(str(p, "detail"), detail) {
		t.Fatalf("detail does not name %q: %s", detail, r.body)
	}
}

func TestTenantRoutes(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		// Create answers Camunda 8.8's TenantCreateResult.
		r := want(t, c.post("/v2/tenants", map[string]any{"tenantId": "acme", "name": "Acme", "description": "the first"}), http.StatusCreated)
		if got := r.obj(t); !reflect.DeepEqual(got, map[string]any{"tenantId": "acme", "name": "Acme", "description": "the first"}) {
			t.Fatalf("create answered %v", got)
		}
		problem(t, c.post("/v2/tenants", map[string]any{"tenantId": "acme", "name": "Again"}), http.StatusConflict, "ALREADY_EXISTS", "already exists")
		want(t, c.post("/v2/tenants", map[string]any{"tenantId": "globex", "name": "Globex"}), http.StatusCreated)

		// Get: the default tenant always exists.
		if got := want(t, c.get("/v2/tenants/acme"), http.StatusOK).obj(t); got["name"] != "Acme" || got["description"] != "the first" || got["tenantId"] != "acme" {
			t.Fatalf("get acme: %v", got)
		}
		if got := want(t, c.get(defaultTenantPath), http.StatusOK).obj(t); got["tenantId"] != "<default>" || got["name"] != "Default" {
			t.Fatalf("get the default tenant: %v", got)
		}
		problem(t, c.get("/v2/tenants/nope"), http.StatusNotFound, "NOT_FOUND", "nope")

		// Update sets name and description and answers the tenant.
		r = want(t, c.send(http.MethodPut, "/v2/tenants/acme", map[string]any{"name": "Acme Inc", "description": "renamed"}), http.StatusOK)
		if got := r.obj(t); got["tenantId"] != "acme" || got["name"] != "Acme Inc" || got["description"] != "renamed" {
			t.Fatalf("update answered %v", got)
		}
		if got := want(t, c.get("/v2/tenants/acme"), http.StatusOK).obj(t); got["name"] != "Acme Inc" {
			t.Fatalf("get after update: %v", got)
		}
		problem(t, c.send(http.MethodPut, "/v2/tenants/nope", map[string]any{"name": "x", "description": ""}), http.StatusNotFound, "NOT_FOUND", "nope")
		problem(t, c.send(http.MethodPut, defaultTenantPath, map[string]any{"name": "x", "description": ""}), http.StatusBadRequest, "INVALID_ARGUMENT", "default tenant")
		problem(t, c.send(http.MethodPut, "/v2/tenants/acme", map[string]any{"name": "x"}), http.StatusBadRequest, "", "description")
		problem(t, c.send(http.MethodPut, "/v2/tenants/acme", map[string]any{"name": " ", "description": ""}), http.StatusBadRequest, "", "name")

		// Users and clients.
		want(t, c.send(http.MethodPut, "/v2/tenants/acme/users/ann", nil), http.StatusNoContent)
		want(t, c.send(http.MethodPut, "/v2/tenants/acme/users/"+url.PathEscape("bob@example.com"), nil), http.StatusNoContent)
		want(t, c.send(http.MethodPut, "/v2/tenants/acme/clients/worker-1", nil), http.StatusNoContent)
		want(t, c.send(http.MethodPut, defaultTenantPath+"/users/ann", nil), http.StatusNoContent)
		problem(t, c.send(http.MethodPut, "/v2/tenants/acme/users/ann", nil), http.StatusConflict, "ALREADY_EXISTS", "already assigned")
		problem(t, c.send(http.MethodPut, "/v2/tenants/nope/users/ann", nil), http.StatusNotFound, "NOT_FOUND", "nope")
		problem(t, c.send(http.MethodPut, "/v2/tenants/nope/clients/c", nil), http.StatusNotFound, "NOT_FOUND", "nope")
		problem(t, c.send(http.MethodPut, "/v2/tenants/acme/users/"+strings.Repeat("u", 257), nil), http.StatusBadRequest, "", "username")

		if got := memberIDs(t, want(t, c.post("/v2/tenants/acme/users/search", nil), http.StatusOK), "username"); !reflect.DeepEqual(got, []string{"ann", "bob@example.com"}) {
			t.Fatalf("users of acme: %v", got)
		}
		r = want(t, c.post("/v2/tenants/acme/users/search", map[string]any{"sort": []any{map[string]any{"field": "username", "order": "DESC"}}, "page": map[string]any{"limit": 1}}), http.StatusOK)
		if got := memberIDs(t, r, "username"); !reflect.DeepEqual(got, []string{"bob@example.com"}) || r.obj(t)["page"].(map[string]any)["totalItems"] != float64(2) {
			t.Fatalf("users of acme, descending, one: %s", r.body)
		}
		if got := memberIDs(t, want(t, c.post("/v2/tenants/acme/clients/search", map[string]any{}), http.StatusOK), "clientId"); !reflect.DeepEqual(got, []string{"worker-1"}) {
			t.Fatalf("clients of acme: %v", got)
		}
		if got := memberIDs(t, want(t, c.post("/v2/tenants/globex/users/search", nil), http.StatusOK), "username"); len(got) != 0 {
			t.Fatalf("users of globex: %v", got)
		}
		problem(t, c.post("/v2/tenants/nope/users/search", nil), http.StatusNotFound, "NOT_FOUND", "nope")
		problem(t, c.post("/v2/tenants/nope/clients/search", nil), http.StatusNotFound, "NOT_FOUND", "nope")
		problem(t, c.post("/v2/tenants/acme/users/search", map[string]any{"sort": []any{map[string]any{"field": "clientId"}}}), http.StatusBadRequest, "", "sort")
		problem(t, c.post("/v2/tenants/acme/users/search", map[string]any{"filter": map[string]any{"username": "ann"}}), http.StatusBadRequest, "", "filter.username")

		want(t, c.send(http.MethodDelete, "/v2/tenants/acme/users/ann", nil), http.StatusNoContent)
		problem(t, c.send(http.MethodDelete, "/v2/tenants/acme/users/ann", nil), http.StatusNotFound, "NOT_FOUND", "not assigned")
		problem(t, c.send(http.MethodDelete, "/v2/tenants/acme/clients/ann", nil), http.StatusNotFound, "NOT_FOUND", "not assigned")
		problem(t, c.send(http.MethodDelete, "/v2/tenants/nope/clients/worker-1", nil), http.StatusNotFound, "NOT_FOUND", "nope")
		if got := memberIDs(t, want(t, c.post("/v2/tenants/acme/users/search", nil), http.StatusOK), "username"); !reflect.DeepEqual(got, []string{"bob@example.com"}) {
			t.Fatalf("users of acme after unassigning ann: %v", got)
		}
		if got := memberIDs(t, want(t, c.post(defaultTenantPath+"/users/search", nil), http.StatusOK), "username"); !reflect.DeepEqual(got, []string{"ann"}) {
			t.Fatalf("users of the default tenant: %v", got)
		}

		// Search: the default tenant (key 0) first, then in key order.
		if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", nil), http.StatusOK)); !reflect.DeepEqual(got, []string{"<default>", "acme", "globex"}) {
			t.Fatalf("all tenants: %v", got)
		}
		if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", map[string]any{"filter": map[string]any{"name": "Globex"}}), http.StatusOK)); !reflect.DeepEqual(got, []string{"globex"}) {
			t.Fatalf("tenants named Globex: %v", got)
		}
		if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", map[string]any{"filter": map[string]any{"tenantId": "<default>"}}), http.StatusOK)); !reflect.DeepEqual(got, []string{"<default>"}) {
			t.Fatalf("the default tenant by id: %v", got)
		}
		byName := map[string]any{"sort": []any{map[string]any{"field": "name", "order": "DESC"}}}
		if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", byName), http.StatusOK)); !reflect.DeepEqual(got, []string{"globex", "<default>", "acme"}) {
			t.Fatalf("tenants by name, descending: %v", got)
		}
		// Paging with cursors walks the list one by one, both ways.
		r = want(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"limit": 2}}), http.StatusOK)
		page := r.obj(t)["page"].(map[string]any)
		if got := tenantIDs(t, r); !reflect.DeepEqual(got, []string{"<default>", "acme"}) || page["totalItems"] != float64(3) {
			t.Fatalf("first page: %s", r.body)
		}
		if _, err := base64.StdEncoding.DecodeString(str(page, "endCursor")); err != nil {
			t.Fatalf("cursor is not base64: %s", r.body)
		}
		r = want(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"limit": 2, "after": str(page, "endCursor")}}), http.StatusOK)
		if got := tenantIDs(t, r); !reflect.DeepEqual(got, []string{"globex"}) {
			t.Fatalf("page after: %s", r.body)
		}
		last := r.obj(t)["page"].(map[string]any)
		r = want(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"limit": 1, "before": str(last, "startCursor")}}), http.StatusOK)
		if got := tenantIDs(t, r); !reflect.DeepEqual(got, []string{"acme"}) {
			t.Fatalf("page before: %s", r.body)
		}
		if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"from": 2}}), http.StatusOK)); !reflect.DeepEqual(got, []string{"globex"}) {
			t.Fatalf("from 2: %v", got)
		}
		if r := want(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"from": 9}}), http.StatusOK); len(tenantIDs(t, r)) != 0 {
			t.Fatalf("past the end: %s", r.body)
		}
		problem(t, c.post("/v2/tenants/search", map[string]any{"page": map[string]any{"after": base64.StdEncoding.EncodeToString([]byte("junk"))}}), http.StatusBadRequest, "", "page.after")
		problem(t, c.post("/v2/tenants/search", map[string]any{"filter": map[string]any{"name": map[string]any{"$like": "A*"}}}), http.StatusBadRequest, "", "filter")
		problem(t, c.post("/v2/tenants/search", map[string]any{"filter": map[string]any{"description": "x"}}), http.StatusBadRequest, "", "description")
		problem(t, c.post("/v2/tenants/search", map[string]any{"sort": []any{map[string]any{"field": "description"}}}), http.StatusBadRequest, "", "sort")

		// Deleting a tenant removes its users and clients; the default
		// tenant cannot be deleted.
		want(t, c.send(http.MethodDelete, "/v2/tenants/acme", nil), http.StatusNoContent)
		problem(t, c.get("/v2/tenants/acme"), http.StatusNotFound, "NOT_FOUND", "acme")
		problem(t, c.send(http.MethodDelete, "/v2/tenants/acme", nil), http.StatusNotFound, "NOT_FOUND", "acme")
		problem(t, c.send(http.MethodDelete, defaultTenantPath, nil), http.StatusBadRequest, "INVALID_ARGUMENT", "default tenant cannot be deleted")
		want(t, c.post("/v2/tenants", map[string]any{"tenantId": "acme", "name": "Acme again"}), http.StatusCreated)
		if got := memberIDs(t, want(t, c.post("/v2/tenants/acme/users/search", nil), http.StatusOK), "username"); len(got) != 0 {
			t.Fatalf("a re-created tenant kept the old members: %v", got)
		}
		if got := memberIDs(t, want(t, c.post("/v2/tenants/acme/clients/search", nil), http.StatusOK), "clientId"); len(got) != 0 {
			t.Fatalf("a re-created tenant kept the old clients: %v", got)
		}
	})
}

func TestTenantCreateRejectsBadInput(t *testing.T) {
	c := start(t, stores[0].open(t), rest.Config{})
	for _, tc := range []struct {
		name  string
		body  any
		names string
	}{
		{"no tenant id", map[string]any{"name": "x"}, "tenantId"},
		{"empty tenant id", map[string]any{"tenantId": "", "name": "x"}, "tenantId"},
		{"a space in the id", map[string]any{"tenantId": "a b", "name": "x"}, "tenantId"},
		{"the default tenant's id", map[string]any{"tenantId": "<default>", "name": "x"}, "tenantId"},
		{"an id of 257 characters", map[string]any{"tenantId": strings.Repeat("a", 257), "name": "x"}, "tenantId"},
		{"no name", map[string]any{"tenantId": "t1"}, "name"},
		{"an empty name", map[string]any{"tenantId": "t1", "name": ""}, "name"},
		{"a name that is not a string", map[string]any{"tenantId": "t1", "name": 5}, "name"},
		{"no body", nil, "body"},
		{"not JSON", "{", "decode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problem(t, c.post("/v2/tenants", tc.body), http.StatusBadRequest, "", tc.names)
		})
	}
	// Nothing was created.
	if got := tenantIDs(t, want(t, c.post("/v2/tenants/search", nil), http.StatusOK)); !reflect.DeepEqual(got, []string{"<default>"}) {
		t.Fatalf("tenants after bad requests: %v", got)
	}
	// The longest id and every allowed character pass.
	long := strings.Repeat("a", 252) + "_@.+-"[:4]
	want(t, c.post("/v2/tenants", map[string]any{"tenantId": long, "name": "long"}), http.StatusCreated)
	want(t, c.post("/v2/tenants", map[string]any{"tenantId": "A-z_0.9+@x", "name": "chars"}), http.StatusCreated)
	if got := want(t, c.get("/v2/tenants/"+url.PathEscape("A-z_0.9+@x")), http.StatusOK).obj(t); got["name"] != "chars" {
		t.Fatalf("get by an id with every allowed character: %v", got)
	}
}
