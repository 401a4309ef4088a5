package rest_test

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
)

// onlyInstance waits for the one instance of a process and returns its key.
func onlyInstance(t *testing.T, c *client, processID string, headers ...string) string {
	t.Helper()
	var key string
	eventually(t, "an instance of "+processID, func() bool {
		r := want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"processDefinitionId": processID}}, headers...), http.StatusOK).obj(t)
		items := r["items"].([]any)
		if len(items) != 1 {
			return false
		}
		key = str(items[0].(map[string]any), "processInstanceKey")
		return true
	})
	return key
}

// flowIDs returns the sequenceFlowId of each item of a sequence flows
// answer, checking the other fields.
func flowIDs(t *testing.T, c *client, pi, processID string) []string {
	t.Helper()
	r := want(t, c.get("/v2/process-instances/"+pi+"/sequence-flows"), http.StatusOK).obj(t)
	var ids []string
	for _, it := range r["items"].([]any) {
		f := it.(map[string]any)
		if str(f, "processInstanceKey") != pi || str(f, "processDefinitionId") != processID || str(f, "elementId") != str(f, "sequenceFlowId") ||
			str(f, "tenantId") != "<default>" || str(f, "processDefinitionKey") == "" {
			t.Fatalf("sequence flow of %s: %v", pi, f)
		}
		ids = append(ids, str(f, "sequenceFlowId"))
	}
	return ids
}

func TestCallHierarchyAndSequenceFlows(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("chain.bpmn"), http.StatusOK)
		top := createProcess(t, c, "chain-top", nil)
		leaf := onlyInstance(t, c, "chain-leaf")
		middle := onlyInstance(t, c, "chain-middle")

		var chain []map[string]any
		want(t, c.get("/v2/process-instances/"+leaf+"/call-hierarchy"), http.StatusOK).json(t, &chain)
		var names, keys []string
		for _, e := range chain {
			names, keys = append(names, str(e, "processDefinitionName")), append(keys, str(e, "processInstanceKey"))
			if str(e, "processDefinitionKey") == "" {
				t.Fatalf("entry without a definition key: %v", e)
			}
		}
		// Root first; a process without a name shows its id.
		if !reflect.DeepEqual(keys, []string{top, middle, leaf}) || !reflect.DeepEqual(names, []string{"Chain top", "chain-middle", "Chain leaf"}) {
			t.Fatalf("call hierarchy of the leaf: %v", chain)
		}
		want(t, c.get("/v2/process-instances/"+top+"/call-hierarchy"), http.StatusOK).json(t, &chain)
		if len(chain) != 1 || str(chain[0], "processInstanceKey") != top {
			t.Fatalf("call hierarchy of the root: %v", chain)
		}

		// The flows taken so far, then the rest once the task completes.
		if got := flowIDs(t, c, leaf, "chain-leaf"); !reflect.DeepEqual(got, []string{"leaf-to-task"}) {
			t.Fatalf("flows of the waiting leaf: %v", got)
		}
		tasks := want(t, c.post("/v2/user-tasks/search", map[string]any{"filter": map[string]any{"processInstanceKey": leaf}}), http.StatusOK).obj(t)["items"].([]any)
		if len(tasks) != 1 {
			t.Fatalf("tasks of the leaf: %v", tasks)
		}
		want(t, c.post("/v2/user-tasks/"+str(tasks[0].(map[string]any), "userTaskKey")+"/completion", nil), http.StatusNoContent)
		waitState(t, c, top, "COMPLETED")
		for pi, wantIDs := range map[string][]string{
			leaf:   {"leaf-to-end", "leaf-to-task"},
			middle: {"middle-to-call", "middle-to-end"},
			top:    {"top-to-call", "top-to-end"},
		} {
			processID := map[string]string{leaf: "chain-leaf", middle: "chain-middle", top: "chain-top"}[pi]
			if got := flowIDs(t, c, pi, processID); !reflect.DeepEqual(got, wantIDs) {
				t.Fatalf("flows of %s: %v, want %v", processID, got, wantIDs)
			}
		}
		// An ended instance keeps its hierarchy.
		want(t, c.get("/v2/process-instances/"+leaf+"/call-hierarchy"), http.StatusOK).json(t, &chain)
		if len(chain) != 3 {
			t.Fatalf("call hierarchy of the ended leaf: %v", chain)
		}

		for _, path := range []string{"/call-hierarchy", "/sequence-flows"} {
			if title(t, want(t, c.get("/v2/process-instances/999"+path), http.StatusNotFound)) != "NOT_FOUND" {
				t.Fatalf("unknown instance %s", path)
			}
			want(t, c.get("/v2/process-instances/x1"+path), http.StatusBadRequest)
			want(t, c.get("/v2/process-instances/-5"+path), http.StatusNotFound)
		}
	})
}

// correlatedItems searches correlated message subscriptions.
func correlatedItems(t *testing.T, c *client, body map[string]any, headers ...string) []map[string]any {
	t.Helper()
	r := want(t, c.post("/v2/correlated-message-subscriptions/search", body, headers...), http.StatusOK).obj(t)
	var out []map[string]any
	for _, it := range r["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	page := r["page"].(map[string]any)
	if int(page["totalItems"].(float64)) < len(out) {
		t.Fatalf("page: %v", r)
	}
	return out
}

func TestCorrelatedMessageSubscriptions(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("payment.bpmn", "invoice-start.bpmn"), http.StatusOK)
		before := time.Now().Add(-time.Second)
		pi := createProcess(t, c, "payment", map[string]any{"orderId": "o-1"})
		corr := want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "correlationKey": "o-1"}), http.StatusOK).obj(t)
		pub := want(t, c.post("/v2/messages/publication", map[string]any{"name": "invoice", "correlationKey": "i-9"}), http.StatusOK).obj(t)
		started := onlyInstance(t, c, "invoice-start")

		all := correlatedItems(t, c, map[string]any{"sort": []any{map[string]any{"field": "messageName", "order": "DESC"}}})
		if len(all) != 2 {
			t.Fatalf("correlations: %v", all)
		}
		paid, invoice := all[0], all[1]
		if str(paid, "messageName") != "paid" || str(paid, "correlationKey") != "o-1" || str(paid, "processInstanceKey") != pi ||
			str(paid, "messageKey") != str(corr, "messageKey") || str(paid, "elementId") != "wait-paid" || str(paid, "elementInstanceKey") == "" ||
			str(paid, "subscriptionKey") == "" || str(paid, "processDefinitionId") != "payment" || str(paid, "processDefinitionKey") == "" ||
			paid["partitionId"] != float64(1) || str(paid, "tenantId") != "<default>" {
			t.Fatalf("correlation to the catch event: %v", paid)
		}
		at, err := time.Parse(time.RFC3339, str(paid, "correlationTime"))
		if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
			t.Fatalf("correlationTime %q: %v", str(paid, "correlationTime"), err)
		}
		if str(invoice, "messageName") != "invoice" || str(invoice, "processInstanceKey") != started || str(invoice, "elementId") != "received" ||
			invoice["elementInstanceKey"] != nil || str(invoice, "messageKey") != str(pub, "messageKey") || str(invoice, "correlationKey") != "i-9" {
			t.Fatalf("correlation to the start event: %v", invoice)
		}

		for name, tc := range map[string]struct {
			filter map[string]any
			want   []string // message names
		}{
			"by process instance":           {map[string]any{"processInstanceKey": started}, []string{"invoice"}},
			"by message key":                {map[string]any{"messageKey": str(corr, "messageKey")}, []string{"paid"}},
			"by subscription key":           {map[string]any{"subscriptionKey": str(paid, "subscriptionKey")}, []string{"paid"}},
			"by element instance":           {map[string]any{"elementInstanceKey": str(paid, "elementInstanceKey")}, []string{"paid"}},
			"start events have none":        {map[string]any{"elementInstanceKey": map[string]any{"$exists": false}}, []string{"invoice"}},
			"by name and correlation key":   {map[string]any{"messageName": "paid", "correlationKey": "o-1"}, []string{"paid"}},
			"by definition id, like":        {map[string]any{"processDefinitionId": map[string]any{"$like": "inv*"}}, []string{"invoice"}},
			"by correlation time":           {map[string]any{"correlationTime": map[string]any{"$gte": before.UTC().Format(time.RFC3339)}}, []string{"paid", "invoice"}},
			"none in the future":            {map[string]any{"correlationTime": map[string]any{"$gt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}}, nil},
			"partition 1":                   {map[string]any{"partitionId": 1, "messageName": "paid"}, []string{"paid"}},
			"partition 2":                   {map[string]any{"partitionId": 2}, nil},
			"by tenant":                     {map[string]any{"tenantId": "<default>", "messageName": "invoice"}, []string{"invoice"}},
			"an element id nobody received": {map[string]any{"elementId": "nope"}, nil},
		} {
			var got []string
			for _, it := range correlatedItems(t, c, map[string]any{"filter": tc.filter, "sort": []any{map[string]any{"field": "messageName", "order": "DESC"}}}) {
				got = append(got, str(it, "messageName"))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
		for name, body := range map[string]any{
			"unknown filter field": map[string]any{"filter": map[string]any{"messageSubscriptionState": "CORRELATED"}},
			"unknown sort field":   map[string]any{"sort": []any{map[string]any{"field": "lastUpdatedDate"}}},
			"bad key":              map[string]any{"filter": map[string]any{"messageKey": "x"}},
			"bad date":             map[string]any{"filter": map[string]any{"correlationTime": "yesterday"}},
			"$or":                  map[string]any{"filter": map[string]any{"$or": []any{map[string]any{"messageName": "paid"}}}},
		} {
			if r := c.post("/v2/correlated-message-subscriptions/search", body); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
	})
}

// usage reads the usage metrics with the query parameters.
func usage(t *testing.T, c *client, params url.Values, status int, headers ...string) map[string]any {
	t.Helper()
	r := want(t, c.send(http.MethodGet, "/v2/system/usage-metrics?"+params.Encode(), nil, headers...), status)
	if status != http.StatusOK {
		return nil
	}
	return r.obj(t)
}

func TestUsageMetrics(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("chain.bpmn", "payment.bpmn"), http.StatusOK)
		from := time.Now().Add(-time.Minute).UTC()
		createProcess(t, c, "chain-top", nil)
		onlyInstance(t, c, "chain-leaf") // its task is assigned to ann
		createProcess(t, c, "payment", map[string]any{"orderId": "o-1"})
		to := time.Now().Add(time.Minute).UTC()

		q := url.Values{"startTime": {from.Format(time.RFC3339Nano)}, "endTime": {to.Format(time.RFC3339Nano)}}
		// Two root instances (the called ones are not counted), one assignee.
		got := usage(t, c, q, http.StatusOK)
		wantTotal := map[string]any{"processInstances": float64(2), "decisionInstances": float64(0), "assignees": float64(1),
			"activeTenants": float64(1), "tenants": map[string]any{}}
		if !reflect.DeepEqual(got, wantTotal) {
			t.Fatalf("usage: %v", got)
		}
		q.Set("withTenants", "true")
		got = usage(t, c, q, http.StatusOK)
		wantTotal["tenants"] = map[string]any{"<default>": map[string]any{"processInstances": float64(2), "decisionInstances": float64(0), "assignees": float64(1)}}
		if !reflect.DeepEqual(got, wantTotal) {
			t.Fatalf("usage with tenants: %v", got)
		}
		// ISO 8601 with a +0000 offset, as Camunda's documentation writes it, and the default tenant named.
		q = url.Values{"startTime": {from.Format("2006-01-02T15:04:05.000-0700")}, "endTime": {to.Format("2006-01-02T15:04:05.000-0700")}, "tenantId": {"<default>"}}
		if got := usage(t, c, q, http.StatusOK); got["processInstances"] != float64(2) {
			t.Fatalf("usage with +0000 offsets: %v", got)
		}
		// Nothing happened in the hour after.
		q = url.Values{"startTime": {to.Format(time.RFC3339)}, "endTime": {to.Add(time.Hour).Format(time.RFC3339)}, "withTenants": {"true"}}
		if got := usage(t, c, q, http.StatusOK); got["processInstances"] != float64(0) || got["assignees"] != float64(0) ||
			got["activeTenants"] != float64(0) || len(got["tenants"].(map[string]any)) != 0 {
			t.Fatalf("usage of an empty range: %v", got)
		}

		start, end := from.Format(time.RFC3339), to.Format(time.RFC3339)
		for name, q := range map[string]url.Values{
			"no startTime":         {"endTime": {end}},
			"no endTime":           {"startTime": {start}},
			"not a date":           {"startTime": {"yesterday"}, "endTime": {end}},
			"a date without time":  {"startTime": {"2026-01-01"}, "endTime": {end}},
			"end before start":     {"startTime": {end}, "endTime": {start}},
			"withTenants not bool": {"startTime": {start}, "endTime": {end}, "withTenants": {"maybe"}},
			"another tenant":       {"startTime": {start}, "endTime": {end}, "tenantId": {"acme"}},
		} {
			if r := c.send(http.MethodGet, "/v2/system/usage-metrics?"+q.Encode(), nil); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
	})
}

// TestHistoriesOfAnotherTenant: the routes answer another tenant's
// instances as not found and count or list only the caller's tenants.
func TestHistoriesOfAnotherTenant(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			want(t, deployTo(t, c, "payment.bpmn", "acme", acme), http.StatusOK)
			from := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
			pi := str(want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "payment", "tenantId": "acme",
				"variables": map[string]any{"orderId": "o-1"}}, acme...), http.StatusOK).obj(t), "processInstanceKey")
			want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "correlationKey": "o-1", "tenantId": "acme"}, acme...), http.StatusOK)
			to := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)

			for _, path := range []string{"/call-hierarchy", "/sequence-flows"} {
				want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi+path, nil, acme...), http.StatusOK)
				want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi+path, nil, beta...), http.StatusNotFound)
				want(t, c.send(http.MethodGet, "/v2/process-instances/"+pi+path, nil, as("user", "acme")...), http.StatusForbidden)
			}
			if got := correlatedItems(t, c, map[string]any{}, acme...); len(got) != 1 || str(got[0], "tenantId") != "acme" {
				t.Fatalf("acme's correlations: %v", got)
			}
			if got := correlatedItems(t, c, map[string]any{}, beta...); len(got) != 0 {
				t.Fatalf("beta sees acme's correlations: %v", got)
			}

			q := url.Values{"startTime": {from}, "endTime": {to}, "withTenants": {"true"}}
			if got := usage(t, c, q, http.StatusOK, acme...); got["processInstances"] != float64(1) || got["activeTenants"] != float64(1) ||
				got["tenants"].(map[string]any)["acme"] == nil {
				t.Fatalf("acme's usage: %v", got)
			}
			if got := usage(t, c, q, http.StatusOK, beta...); got["processInstances"] != float64(0) || got["activeTenants"] != float64(0) {
				t.Fatalf("beta's usage: %v", got)
			}
			q.Set("tenantId", "acme")
			usage(t, c, q, http.StatusForbidden, beta...)
			usage(t, c, q, http.StatusOK, acme...)
		})
	}
}
