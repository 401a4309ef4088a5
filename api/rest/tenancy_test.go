package rest_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// as returns the header of a principal with roles and tenants.
func as(roles, tenants string) []string {
	return []string{"Authorization", "Bearer role:" + roles + ";tenants:" + tenants}
}

// deployTo deploys a testdata file to a tenant as a principal.
func deployTo(t *testing.T, c *client, file, tenant string, header []string) *response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	part, err := w.CreateFormFile("resources", file)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = part.Write(b)
	_ = w.WriteField("tenantId", tenant)
	_ = w.Close()
	return c.do(http.MethodPost, "/v2/deployments", w.FormDataContentType(), buf.Bytes(), header...)
}

// TestTenantsAreKeptApart: with multi-tenancy on, a principal works only
// on its tenants: commands naming another tenant get 403, searches show
// only its tenants' rows, and keys of another tenant's entities answer 404
// for reads and commands alike.
func TestTenantsAreKeptApart(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			want(t, deployTo(t, c, "order.bpmn", "acme", acme), http.StatusOK)
			want(t, deployTo(t, c, "order.bpmn", "beta", acme), http.StatusForbidden)
			want(t, deployTo(t, c, "order.bpmn", "beta", beta), http.StatusOK)

			created := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": "acme",
				"variables": map[string]any{"orderId": "A-1"}}, acme...), http.StatusOK).obj(t)
			if created["tenantId"] != "acme" {
				t.Fatalf("created in tenant %v", created["tenantId"])
			}
			pi := str(created, "processInstanceKey")
			want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": "acme"}, beta...), http.StatusForbidden)
			// Without a tenant id the default tenant is meant, which beta's
			// principal is not a member of.
			want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order"}, beta...), http.StatusForbidden)

			for _, tc := range []struct {
				header     []string
				want, defs int
			}{{acme, 1, 1}, {beta, 0, 1}, {as("operator", "acme,beta"), 1, 2}, {as("operator", "gamma"), 0, 0}} {
				r := want(t, c.post("/v2/process-instances/search", map[string]any{}, tc.header...), http.StatusOK).obj(t)
				if items, _ := r["items"].([]any); len(items) != tc.want {
					t.Fatalf("%s sees %d instances, want %d: %v", tc.header[1], len(items), tc.want, r)
				}
				r = want(t, c.post("/v2/process-definitions/search", map[string]any{}, tc.header...), http.StatusOK).obj(t)
				if items, _ := r["items"].([]any); len(items) != tc.defs {
					t.Fatalf("%s sees %d definitions: %v", tc.header[1], len(items), r)
				}
			}
			want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, acme...), http.StatusOK)
			want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, beta...), http.StatusNotFound)
			want(t, c.post("/v2/process-instances/"+pi+"/cancellation", nil, beta...), http.StatusNotFound)

			// Jobs: beta's worker neither activates nor completes acme's job.
			activation := map[string]any{"type": "charge-card", "worker": "w", "timeout": 60000, "maxJobsToActivate": 5, "requestTimeout": -1}
			activation["tenantIds"] = []string{"acme"}
			want(t, c.post("/v2/jobs/activation", activation, beta...), http.StatusForbidden)
			activation["tenantIds"] = []string{"beta"}
			r := want(t, c.post("/v2/jobs/activation", activation, beta...), http.StatusOK).obj(t)
			if jobs, _ := r["jobs"].([]any); len(jobs) != 0 {
				t.Fatalf("beta activated acme's jobs: %v", jobs)
			}
			activation["tenantIds"] = []string{"acme"}
			r = want(t, c.post("/v2/jobs/activation", activation, acme...), http.StatusOK).obj(t)
			jobs, _ := r["jobs"].([]any)
			if len(jobs) != 1 {
				t.Fatalf("acme's jobs: %v", r)
			}
			job := str(jobs[0].(map[string]any), "jobKey")
			want(t, c.post("/v2/jobs/"+job+"/completion", map[string]any{}, beta...), http.StatusNotFound)
			want(t, c.post("/v2/jobs/"+job+"/completion", map[string]any{}, acme...), http.StatusNoContent)

			// Tenant management: a membership adds to the token's tenants,
			// and the tenant's name shows in who-am-I.
			admin := as("admin", "<default>")
			want(t, c.post("/v2/tenants", map[string]any{"tenantId": "acme", "name": "Acme Corp", "description": "d"}, admin...), http.StatusCreated)
			want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodPut, "/v2/tenants/acme/users/tester", nil, admin...), http.StatusNoContent)
			want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, beta...), http.StatusOK)
			me := want(t, c.send(http.MethodGet, "/v2/authentication/me", nil, as("user", "beta")...), http.StatusOK).obj(t)
			tenants, _ := me["tenants"].([]any)
			if len(tenants) != 2 || tenants[0].(map[string]any)["name"] != "Acme Corp" || tenants[1].(map[string]any)["tenantId"] != "beta" {
				t.Fatalf("me: tenants %v", me["tenants"])
			}
			want(t, c.send(http.MethodDelete, "/v2/tenants/acme/users/tester", nil, admin...), http.StatusNoContent)
			want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, beta...), http.StatusNotFound)
		})
	}
}

// TestMultitenancyOffKeepsTheDefaultTenant: with multi-tenancy off, only
// the default tenant exists, whatever the principal's tenants.
func TestMultitenancyOffKeepsTheDefaultTenant(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc"})
	acme := as("operator", "acme")
	want(t, deployTo(t, c, "order.bpmn", "acme", acme), http.StatusBadRequest)
	want(t, deployTo(t, c, "order.bpmn", "<default>", acme), http.StatusOK)
	r := want(t, c.post("/v2/process-definitions/search", map[string]any{}, acme...), http.StatusOK).obj(t)
	if items, _ := r["items"].([]any); len(items) != 1 {
		t.Fatalf("with multi-tenancy off every principal sees the default tenant: %v", r)
	}
}
