package rest_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// historyPage gets one page of an instance's history.
func historyPage(t *testing.T, c *client, pi, query string, header ...string) rest.HistoryResult {
	t.Helper()
	var out rest.HistoryResult
	want(t, c.send(http.MethodGet, "/v2/x/process-instances/"+pi+"/history"+query, nil, header...), http.StatusOK).json(t, &out)
	return out
}

// TestInstanceHistory: an instance's records from the command log, oldest
// first, only its own, paged by position, ending with the instance's end.
func TestInstanceHistory(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		pi := create(t, c, map[string]any{"amount": 10})
		other := create(t, c, map[string]any{"amount": 99})
		for _, j := range activate(t, c, 2) {
			if str(j, "processInstanceKey") == pi {
				want(t, c.post("/v2/jobs/"+str(j, "jobKey")+"/completion", map[string]any{"variables": map[string]any{"paid": true}}), http.StatusNoContent)
			}
		}
		all := historyPage(t, c, pi, "?limit=1000")
		if all.Page.HasMoreTotalItems || all.Page.TotalItems != len(all.Items) || len(all.Items) < 10 {
			t.Fatalf("whole history: %+v", all)
		}
		var seen []string
		last := int64(0)
		for _, r := range all.Items {
			if r.Position <= last {
				t.Fatalf("positions out of order at %d: %+v", r.Position, all.Items)
			}
			last = r.Position
			seen = append(seen, r.ValueType+" "+r.Intent+" "+r.ElementID)
			if r.ValueType == "PROCESS_INSTANCE" && r.ElementInstanceKey == nil {
				t.Fatalf("element record without elementInstanceKey: %+v", r)
			}
			if fmt.Sprint(r.Key) == other {
				t.Fatalf("another instance's record: %+v", r)
			}
		}
		for _, want := range []string{"PROCESS_INSTANCE ELEMENT_ACTIVATING order", "VARIABLE CREATED ", "JOB CREATED charge",
			"JOB COMPLETED charge", "PROCESS_INSTANCE ELEMENT_COMPLETED charge", "PROCESS_INSTANCE SEQUENCE_FLOW_TAKEN to-done"} {
			found := false
			for _, s := range seen {
				found = found || s == want
			}
			if !found {
				t.Errorf("history lacks %q: %v", want, seen)
			}
		}
		if end := all.Items[len(all.Items)-1]; end.Intent != "ELEMENT_COMPLETED" || end.ElementID != "order" {
			t.Fatalf("history does not end with the instance's end: %+v", end)
		}
		var amount, paid bool
		for _, r := range all.Items {
			amount = amount || r.ValueType == "VARIABLE" && r.Name == "amount" && string(r.Value) == "10" && r.ScopeKey != nil && fmt.Sprint(*r.ScopeKey) == pi
			paid = paid || r.ValueType == "JOB" && r.Intent == "COMPLETED" && string(r.Variables["paid"]) == "true"
		}
		if !amount || !paid {
			t.Fatalf("variables: amount %v, paid %v: %+v", amount, paid, all.Items)
		}

		// Pages of 3 add up to the whole.
		var paged []rest.HistoryRecord
		cursor := ""
		for i := 0; ; i++ {
			q := "?limit=3"
			if cursor != "" {
				q += "&after=" + cursor
			}
			p := historyPage(t, c, pi, q)
			paged = append(paged, p.Items...)
			if !p.Page.HasMoreTotalItems {
				break
			}
			if len(p.Items) != 3 || i > 100 {
				t.Fatalf("page %d: %+v", i, p)
			}
			cursor = p.Page.EndCursor
		}
		if !reflect.DeepEqual(paged, all.Items) {
			t.Fatalf("pages differ from the whole:\n%+v\n%+v", paged, all.Items)
		}
		// A running instance's history ends at the log's end for now.
		running := historyPage(t, c, other, "")
		if running.Page.HasMoreTotalItems || len(running.Items) == 0 || running.Items[len(running.Items)-1].Intent == "ELEMENT_COMPLETED" {
			t.Fatalf("running instance: %+v", running)
		}
		if after := historyPage(t, c, other, "?after="+running.Page.EndCursor); len(after.Items) != 0 || after.Page.EndCursor != running.Page.EndCursor {
			t.Fatalf("after the last record: %+v", after)
		}

		want(t, c.get("/v2/x/process-instances/999/history"), http.StatusNotFound)
		want(t, c.get("/v2/x/process-instances/x1/history"), http.StatusBadRequest)
		want(t, c.get("/v2/x/process-instances/"+pi+"/history?after=-1"), http.StatusBadRequest)
		want(t, c.get("/v2/x/process-instances/"+pi+"/history?after=x"), http.StatusBadRequest)
		want(t, c.get("/v2/x/process-instances/"+pi+"/history?limit=0"), http.StatusBadRequest)
		want(t, c.get("/v2/x/process-instances/"+pi+"/history?limit=1001"), http.StatusBadRequest)
	})
}

// TestInstanceHistoryOfAnotherTenant: another tenant's instance answers
// 404; a user may not read histories.
func TestInstanceHistoryOfAnotherTenant(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			want(t, deployTo(t, c, "order.bpmn", "acme", acme), http.StatusOK)
			pi := str(want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": "acme"}, acme...), http.StatusOK).obj(t), "processInstanceKey")
			if h := historyPage(t, c, pi, "", acme...); len(h.Items) == 0 {
				t.Fatalf("acme's history: %+v", h)
			}
			want(t, c.send(http.MethodGet, "/v2/x/process-instances/"+pi+"/history", nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, "/v2/x/process-instances/"+pi+"/history", nil, as("user", "acme")...), http.StatusForbidden)
		})
	}
}
