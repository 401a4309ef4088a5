package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// TestJobActivationFetchVariable: fetchVariable names the variables a job
// gets (those absent are left out, not null); empty or absent, every
// variable the job's scope sees. (null is refused, as Camunda 8.8's
// description has fetchVariable not nullable.)
func TestJobActivationFetchVariable(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		for _, tc := range []struct {
			name  string
			fetch any // nil: absent
			want  map[string]any
		}{
			{"named, one absent", []string{"amount", "missing"}, map[string]any{"amount": 7.0}},
			{"only absent ones", []string{"missing"}, map[string]any{}},
			{"empty list", []string{}, map[string]any{"amount": 7.0, "other": "x"}},
			{"absent", nil, map[string]any{"amount": 7.0, "other": "x"}},
		} {
			create(t, c, map[string]any{"amount": 7, "other": "x"})
			body := map[string]any{"type": "charge-card", "worker": "w", "timeout": 60000, "maxJobsToActivate": 1, "requestTimeout": -1}
			if tc.fetch != nil {
				body["fetchVariable"] = tc.fetch
			}
			jobs := want(t, c.post("/v2/jobs/activation", body), http.StatusOK).obj(t)["jobs"].([]any)
			if len(jobs) != 1 {
				t.Fatalf("%s: %v", tc.name, jobs)
			}
			vars, ok := jobs[0].(map[string]any)["variables"].(map[string]any)
			if !ok || len(vars) != len(tc.want) {
				t.Fatalf("%s: variables %v, want %v", tc.name, vars, tc.want)
			}
			for k, v := range tc.want {
				if vars[k] != v {
					t.Fatalf("%s: variables %v, want %v", tc.name, vars, tc.want)
				}
			}
		}
	})
}

// TestJobActivationTenantIDs: with multi-tenancy off only the default
// tenant may be named; with it on, the caller activates only for tenants
// it is a member of, and naming none means the default tenant.
func TestJobActivationTenantIDs(t *testing.T) {
	activation := func(tenants ...string) map[string]any {
		b := map[string]any{"type": "charge-card", "worker": "w", "timeout": 60000, "maxJobsToActivate": 5, "requestTimeout": -1}
		if tenants != nil {
			b["tenantIds"] = tenants
		}
		return b
	}
	t.Run("off", func(t *testing.T) {
		forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
			setup(t, c)
			create(t, c, nil)
			create(t, c, nil)
			r := want(t, c.post("/v2/jobs/activation", activation("acme")), http.StatusBadRequest)
			if d := r.obj(t)["detail"].(string); !strings.Contains(d, "tenantId") || !strings.Contains(d, "acme") {
				t.Fatalf("another tenant: %s", d)
			}
			for _, tenants := range [][]string{{"<default>"}, {}} {
				jobs := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "timeout": 60000, "maxJobsToActivate": 1, "requestTimeout": -1, "tenantIds": tenants}), http.StatusOK).obj(t)["jobs"].([]any)
				if len(jobs) != 1 || str(jobs[0].(map[string]any), "tenantId") != "<default>" {
					t.Fatalf("tenantIds %v: %v", tenants, jobs)
				}
			}
		})
	})
	t.Run("on", func(t *testing.T) {
		forEachStore(t, rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true}, func(t *testing.T, c *client) {
			admin := as("admin", "<default>,acme")
			want(t, deployTo(t, c, "order.bpmn", "<default>", admin), http.StatusOK)
			want(t, deployTo(t, c, "order.bpmn", "acme", admin), http.StatusOK)
			for _, tenant := range []string{"<default>", "acme"} {
				want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": tenant}, admin...), http.StatusOK)
			}
			acme := as("worker", "acme")
			// Naming no tenant is the default tenant, which acme's worker
			// is not a member of.
			want(t, c.post("/v2/jobs/activation", activation(), acme...), http.StatusForbidden)
			want(t, c.post("/v2/jobs/activation", activation("acme", "<default>"), acme...), http.StatusForbidden)
			jobs := want(t, c.post("/v2/jobs/activation", activation("acme", "acme"), acme...), http.StatusOK).obj(t)["jobs"].([]any)
			if len(jobs) != 1 || str(jobs[0].(map[string]any), "tenantId") != "acme" {
				t.Fatalf("acme's worker: %v", jobs)
			}
			both := want(t, c.post("/v2/jobs/activation", activation(), admin...), http.StatusOK).obj(t)["jobs"].([]any)
			if len(both) != 1 || str(both[0].(map[string]any), "tenantId") != "<default>" {
				t.Fatalf("no tenant named: %v", both)
			}
		})
	})
}

// TestJobUpdateNulls: a changeset member that is null keeps the job's
// value, as absent does; a changeset with nothing to change is a 400.
func TestJobUpdateNulls(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		create(t, c, nil)
		key := str(activate(t, c, 1)[0], "jobKey")
		patch := func(changeset map[string]any) *response {
			return c.send(http.MethodPatch, "/v2/jobs/"+key, map[string]any{"changeset": changeset})
		}
		want(t, patch(map[string]any{"retries": 6, "timeout": nil}), http.StatusNoContent)
		want(t, patch(map[string]any{"retries": nil, "timeout": 5000}), http.StatusNoContent)
		r := want(t, patch(map[string]any{"retries": nil, "timeout": nil}), http.StatusBadRequest)
		if d := r.obj(t)["detail"].(string); !strings.Contains(d, "retries or timeout") {
			t.Fatalf("empty changeset: %s", d)
		}
		found := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"jobKey": key}}), http.StatusOK).obj(t)["items"].([]any)
		if len(found) != 1 || found[0].(map[string]any)["retries"] != 6.0 {
			t.Fatalf("job after the updates: %v", found)
		}
	})
}

// TestJobSearchFilters covers the job filter fields of Camunda 8.8 that
// every job here answers alike (kind, listenerEventType, isDenied,
// deniedReason) and hasFailedWithRetriesLeft.
func TestJobSearchFilters(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		for range 3 {
			create(t, c, nil)
		}
		failed := str(activate(t, c, 1)[0], "jobKey")
		want(t, c.post("/v2/jobs/"+failed+"/failure", map[string]any{"retries": 2, "retryBackOff": 3_600_000}), http.StatusNoContent)
		search := func(filter map[string]any) []string {
			t.Helper()
			items := want(t, c.post("/v2/jobs/search", map[string]any{"filter": filter}), http.StatusOK).obj(t)["items"].([]any)
			var keys []string
			for _, it := range items {
				keys = append(keys, str(it.(map[string]any), "jobKey"))
			}
			return keys
		}
		for _, tc := range []struct {
			name   string
			filter map[string]any
			want   int
		}{
			{"kind", map[string]any{"kind": "BPMN_ELEMENT"}, 3},
			{"another kind", map[string]any{"kind": "TASK_LISTENER"}, 0},
			{"kind $in", map[string]any{"kind": map[string]any{"$in": []string{"EXECUTION_LISTENER", "BPMN_ELEMENT"}}}, 3},
			{"kind $neq", map[string]any{"kind": map[string]any{"$neq": "BPMN_ELEMENT"}}, 0},
			{"kind $like", map[string]any{"kind": map[string]any{"$like": "BPMN_*"}}, 3},
			{"listener event type", map[string]any{"listenerEventType": "UNSPECIFIED"}, 3},
			{"another listener event type", map[string]any{"listenerEventType": map[string]any{"$eq": "START"}}, 0},
			{"not denied", map[string]any{"isDenied": map[string]any{"$exists": false}}, 3},
			{"denied", map[string]any{"isDenied": true}, 0},
			{"a denial reason", map[string]any{"deniedReason": "x"}, 0},
			{"failed with retries left", map[string]any{"hasFailedWithRetriesLeft": true}, 1},
			{"not failed with retries left", map[string]any{"hasFailedWithRetriesLeft": false}, 2},
			{"with another field", map[string]any{"hasFailedWithRetriesLeft": true, "kind": "BPMN_ELEMENT", "retries": 2}, 1},
		} {
			got := search(tc.filter)
			if len(got) != tc.want {
				t.Fatalf("%s: %v, want %d jobs", tc.name, got, tc.want)
			}
			if tc.want == 1 && got[0] != failed {
				t.Fatalf("%s: %v, want the failed job %s", tc.name, got, failed)
			}
		}
		r := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"kind": "ROBOT"}}), http.StatusBadRequest)
		if d := r.obj(t)["detail"].(string); !strings.Contains(d, "kind") {
			t.Fatalf("unknown kind: %s", d)
		}
		r = want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"endTime": map[string]any{"$exists": true}}}), http.StatusBadRequest)
		if d := r.obj(t)["detail"].(string); !strings.Contains(d, "endTime") {
			t.Fatalf("endTime: %s", d)
		}
	})
}
