package rest_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

func TestSignalBroadcast(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("signals.bpmn"), http.StatusOK)
		a := createProcess(t, c, "signal-wait", nil)
		b := createProcess(t, c, "signal-wait", nil)

		// A signal nobody waits for is answered all the same, and gone.
		none := want(t, c.post("/v2/signals/broadcast", map[string]any{"signalName": "nobody"}), http.StatusOK).obj(t)
		if str(none, "signalKey") == "" || str(none, "tenantId") != "<default>" {
			t.Fatalf("broadcast without subscribers: %v", none)
		}
		// One broadcast reaches every waiting instance with its variables.
		r := want(t, c.post("/v2/signals/broadcast", map[string]any{"signalName": "go", "variables": map[string]any{"x": 5},
			"tenantId": "<default>"}), http.StatusOK).obj(t)
		if str(r, "signalKey") == "" || str(r, "signalKey") == str(none, "signalKey") || str(r, "tenantId") != "<default>" {
			t.Fatalf("broadcast: %v", r)
		}
		for _, pi := range []string{a, b} {
			waitState(t, c, pi, "COMPLETED")
			if v := variable(t, c, pi, "x"); v != "5" {
				t.Fatalf("signal variables did not reach instance %s: %q", pi, v)
			}
		}
		// Not buffered: an instance that starts waiting later misses it.
		late := createProcess(t, c, "signal-wait", nil)
		if s := str(want(t, c.get("/v2/process-instances/"+late), http.StatusOK).obj(t), "state"); s != "ACTIVE" {
			t.Fatalf("an instance created after the broadcast is %s, want ACTIVE", s)
		}

		for name, body := range map[string]any{
			"no name":         map[string]any{"variables": map[string]any{}},
			"empty name":      map[string]any{"signalName": ""},
			"name a number":   map[string]any{"signalName": 1},
			"other tenant":    map[string]any{"signalName": "go", "tenantId": "acme"},
			"bad tenant id":   map[string]any{"signalName": "go", "tenantId": "a b"},
			"variables array": map[string]any{"signalName": "go", "variables": []int{1}},
		} {
			if r := c.post("/v2/signals/broadcast", body); r.status != http.StatusBadRequest {
				t.Fatalf("broadcast, %s: %d %s", name, r.status, r.body)
			}
		}
		if s := str(want(t, c.get("/v2/process-instances/"+late), http.StatusOK).obj(t), "state"); s != "ACTIVE" {
			t.Fatalf("a refused broadcast reached instance %s: %s", late, s)
		}
	})
}

// TestSignalBroadcastTenants: a signal reaches only its own tenant's
// subscriptions, and only members of the tenant may broadcast in it.
func TestSignalBroadcastTenants(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			admin := as("admin", "<default>,acme")
			want(t, deployTo(t, c, "signals.bpmn", "<default>", admin), http.StatusOK)
			want(t, deployTo(t, c, "signals.bpmn", "acme", admin), http.StatusOK)
			pis := map[string]string{}
			for _, tenant := range []string{"<default>", "acme"} {
				r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "signal-wait", "tenantId": tenant}, admin...), http.StatusOK).obj(t)
				pis[tenant] = str(r, "processInstanceKey")
			}
			acme := as("operator", "acme")
			// Naming no tenant is the default tenant, which acme's operator
			// is not a member of.
			want(t, c.post("/v2/signals/broadcast", map[string]any{"signalName": "go"}, acme...), http.StatusForbidden)
			want(t, c.post("/v2/signals/broadcast", map[string]any{"signalName": "go", "tenantId": "beta"}, acme...), http.StatusForbidden)
			r := want(t, c.post("/v2/signals/broadcast", map[string]any{"signalName": "go", "tenantId": "acme"}, acme...), http.StatusOK).obj(t)
			if str(r, "tenantId") != "acme" {
				t.Fatalf("broadcast in acme: %v", r)
			}
			state := func(pi string) string {
				return str(want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi, nil, admin...), http.StatusOK).obj(t), "state")
			}
			eventually(t, "acme's instance to complete", func() bool { return state(pis["acme"]) == "COMPLETED" })
			if s := state(pis["<default>"]); s != "ACTIVE" {
				t.Fatalf("a signal of acme reached the default tenant's instance: %s", s)
			}
		})
	}
}
