package rest_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// createProcess starts an instance of a process and returns its key.
func createProcess(t *testing.T, c *client, id string, vars map[string]any) string {
	t.Helper()
	r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": id, "variables": vars}), http.StatusOK).obj(t)
	return str(r, "processInstanceKey")
}

// waitState polls until a process instance is in a state.
func waitState(t *testing.T, c *client, pi, state string) {
	t.Helper()
	eventually(t, "instance "+pi+" to be "+state, func() bool {
		return str(want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).obj(t), "state") == state
	})
}

// variable returns the JSON text of a variable of a process instance, or "".
func variable(t *testing.T, c *client, pi, name string) string {
	t.Helper()
	r := want(t, c.post("/v2/variables/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi, "name": name}}), http.StatusOK).obj(t)
	items := r["items"].([]any)
	if len(items) == 0 {
		return ""
	}
	return str(items[0].(map[string]any), "value")
}

func TestMessages(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("payment.bpmn"), http.StatusOK)

		// Correlation reaches the waiting instance and answers with it.
		pi := createProcess(t, c, "payment", map[string]any{"orderId": "o-1"})
		r := want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "correlationKey": "o-1",
			"variables": map[string]any{"amount": 5}, "tenantId": "<default>"}), http.StatusOK).obj(t)
		if str(r, "processInstanceKey") != pi || str(r, "messageKey") == "" || str(r, "tenantId") != "<default>" {
			t.Fatalf("correlation: %v", r)
		}
		waitState(t, c, pi, "COMPLETED")
		if v := variable(t, c, pi, "amount"); v != "5" {
			t.Fatalf("message variables did not reach the instance: %q", v)
		}
		// Nothing waits any more: 404, and nothing is buffered.
		nf := want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "correlationKey": "o-1"}), http.StatusNotFound)
		if title(t, nf) != "NOT_FOUND" {
			t.Fatalf("correlation without a subscription: %s", nf.body)
		}

		// Publication buffers the message for an instance that comes later;
		// the same messageId is refused while the message is buffered.
		pub := map[string]any{"name": "paid", "correlationKey": "o-2", "timeToLive": 60000, "messageId": "m-2", "variables": map[string]any{"amount": 7}}
		p := want(t, c.post("/v2/messages/publication", pub), http.StatusOK).obj(t)
		if str(p, "messageKey") == "" || str(p, "tenantId") != "<default>" || p["processInstanceKey"] != nil {
			t.Fatalf("publication: %v", p)
		}
		dup := want(t, c.post("/v2/messages/publication", pub), http.StatusConflict)
		if title(t, dup) != "ALREADY_EXISTS" {
			t.Fatalf("duplicate messageId: %s", dup.body)
		}
		pi2 := createProcess(t, c, "payment", map[string]any{"orderId": "o-2"})
		waitState(t, c, pi2, "COMPLETED")
		if v := variable(t, c, pi2, "amount"); v != "7" {
			t.Fatalf("buffered message variables: %q", v)
		}
		// A time to live as a decimal string (a JavaScript BigInt) is fine.
		want(t, c.post("/v2/messages/publication", map[string]any{"name": "paid", "correlationKey": "o-3", "timeToLive": "1000"}), http.StatusOK)

		for name, body := range map[string]any{
			"no name":           map[string]any{"correlationKey": "x"},
			"empty name":        map[string]any{"name": ""},
			"negative ttl":      map[string]any{"name": "paid", "timeToLive": -1},
			"other tenant":      map[string]any{"name": "paid", "tenantId": "acme"},
			"variables array":   map[string]any{"name": "paid", "variables": []int{1}},
			"correlation key 1": map[string]any{"name": "paid", "correlationKey": 1},
		} {
			if r := c.post("/v2/messages/publication", body); r.status != http.StatusBadRequest {
				t.Fatalf("publication, %s: %d %s", name, r.status, r.body)
			}
		}
		want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "tenantId": "acme"}), http.StatusBadRequest)
		want(t, c.post("/v2/messages/correlation", map[string]any{}), http.StatusBadRequest)
	})
}
