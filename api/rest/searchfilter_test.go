package rest_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// instanceKeys runs a process instance search and returns the keys it
// found, sorted, after checking that totalItems counts them.
func instanceKeys(t *testing.T, c *client, f map[string]any) []string {
	t.Helper()
	r := want(t, c.post("/v2/process-instances/search", filter(f)), http.StatusOK).obj(t)
	var out []string
	for _, it := range r["items"].([]any) {
		out = append(out, str(it.(map[string]any), "processInstanceKey"))
	}
	if total := r["page"].(map[string]any)["totalItems"]; total != float64(len(out)) {
		t.Fatalf("filter %v: totalItems %v for %d items", f, total, len(out))
	}
	sort.Strings(out)
	return out
}

func keys(ks ...string) []string {
	out := slices.Clone(ks)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func sameKeys(got, want []string) bool {
	if got == nil {
		got = []string{}
	}
	return slices.Equal(got, want)
}

func TestSearchFilterOperators(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("order.bpmn", "noop.bpmn"), http.StatusOK)
		ann := createProcess(t, c, "order", map[string]any{"customer": "ann", "amount": 10, "tags": []string{"a*b"}})
		bob := createProcess(t, c, "order", map[string]any{"customer": "bob", "amount": 20})
		carl := createProcess(t, c, "order", map[string]any{"customer": "carl", "amount": 30})
		done := createProcess(t, c, "noop", map[string]any{"customer": "bob", "amount": 20})
		want(t, c.post("/v2/process-instances/"+carl+"/cancellation", nil), http.StatusNoContent)
		orders := keys(ann, bob, carl)

		cases := []struct {
			name   string
			filter map[string]any
			want   []string
		}{
			{"plain value is $eq", map[string]any{"processDefinitionId": "order"}, orders},
			{"key $eq", map[string]any{"processInstanceKey": map[string]any{"$eq": ann}}, keys(ann)},
			{"key $neq", map[string]any{"processDefinitionId": "order", "processInstanceKey": map[string]any{"$neq": ann}}, keys(bob, carl)},
			{"key $in", map[string]any{"processInstanceKey": map[string]any{"$in": []string{ann, done}}}, keys(ann, done)},
			{"key $notIn", map[string]any{"processInstanceKey": map[string]any{"$notIn": []string{ann, done}}}, keys(bob, carl)},
			{"key $exists false on an optional key", map[string]any{"parentProcessInstanceKey": map[string]any{"$exists": false}}, keys(ann, bob, carl, done)},
			{"key $exists true on an optional key", map[string]any{"parentProcessInstanceKey": map[string]any{"$exists": true}}, keys()},
			{"integer $gte", map[string]any{"processDefinitionVersion": map[string]any{"$gte": 1}}, keys(ann, bob, carl, done)},
			{"integer $lt", map[string]any{"processDefinitionVersion": map[string]any{"$lt": 1}}, keys()},
			{"integer as a string", map[string]any{"processDefinitionVersion": map[string]any{"$lte": "1", "$gt": "0"}}, keys(ann, bob, carl, done)},
			{"integer $in", map[string]any{"processDefinitionVersion": map[string]any{"$in": []int{2, 3}}}, keys()},
			{"integer $notIn", map[string]any{"processDefinitionVersion": map[string]any{"$notIn": []int{2}}}, keys(ann, bob, carl, done)},
			{"date $gt", map[string]any{"startDate": map[string]any{"$gt": "2000-01-01T00:00:00Z"}}, keys(ann, bob, carl, done)},
			{"date $lte", map[string]any{"startDate": map[string]any{"$lte": "2000-01-01T00:00:00Z"}}, keys()},
			{"date $exists on endDate", map[string]any{"endDate": map[string]any{"$exists": true}}, keys(carl, done)},
			{"date range", map[string]any{"endDate": map[string]any{"$gte": "2000-01-01T00:00:00Z", "$lt": "2999-01-01T00:00:00Z"}}, keys(carl, done)},
			{"state $eq", map[string]any{"state": map[string]any{"$eq": "ACTIVE"}}, keys(ann, bob)},
			{"state $neq", map[string]any{"state": map[string]any{"$neq": "ACTIVE"}}, keys(carl, done)},
			{"state $in", map[string]any{"state": map[string]any{"$in": []string{"COMPLETED", "TERMINATED"}}}, keys(carl, done)},
			{"state $notIn", map[string]any{"state": map[string]any{"$notIn": []string{"COMPLETED", "TERMINATED"}}}, keys(ann, bob)},
			{"state $like", map[string]any{"state": map[string]any{"$like": "*TED"}}, keys(carl, done)},
			{"string $like with ?", map[string]any{"processDefinitionId": map[string]any{"$like": "ord?r"}}, orders},
			{"string $like with *", map[string]any{"processDefinitionId": map[string]any{"$like": "*o*"}}, keys(ann, bob, carl, done)},
			{"string $like escaped star is literal", map[string]any{"processDefinitionId": map[string]any{"$like": `ord\*`}}, keys()},
			{"string $like percent is literal", map[string]any{"processDefinitionId": map[string]any{"$like": "%"}}, keys()},
			{"string $in", map[string]any{"processDefinitionId": map[string]any{"$in": []string{"noop", "nothing"}}}, keys(done)},
			{"string $notIn", map[string]any{"processDefinitionId": map[string]any{"$notIn": []string{"noop"}}}, orders},
			{"string $exists", map[string]any{"processDefinitionId": map[string]any{"$exists": true}}, keys(ann, bob, carl, done)},
			{"boolean $eq", map[string]any{"hasIncident": map[string]any{"$eq": false}}, keys(ann, bob, carl, done)},
			{"boolean $neq", map[string]any{"hasIncident": map[string]any{"$neq": false}}, keys()},
			{"operators in one object are ANDed", map[string]any{"state": map[string]any{"$in": []string{"ACTIVE", "COMPLETED"}, "$neq": "COMPLETED"}}, keys(ann, bob)},

			{"$or of two fields", map[string]any{"$or": []any{map[string]any{"state": "TERMINATED"}, map[string]any{"processDefinitionId": "noop"}}}, keys(carl, done)},
			{"$or is ANDed with the top level", map[string]any{"processDefinitionId": "order",
				"$or": []any{map[string]any{"state": "TERMINATED"}, map[string]any{"processInstanceKey": ann}}}, keys(ann, carl)},
			{"$or alternative ANDs its fields", map[string]any{"$or": []any{map[string]any{"state": "ACTIVE", "processInstanceKey": map[string]any{"$neq": ann}}}}, keys(bob)},
			{"$or with an empty alternative holds", map[string]any{"$or": []any{map[string]any{}, map[string]any{"state": "TERMINATED"}}}, keys(ann, bob, carl, done)},

			{"variable $eq on JSON text", map[string]any{"variables": []any{map[string]any{"name": "customer", "value": `"bob"`}}}, keys(bob, done)},
			{"variable string is JSON text", map[string]any{"variables": []any{map[string]any{"name": "customer", "value": "bob"}}}, keys()},
			{"variable number", map[string]any{"variables": []any{map[string]any{"name": "amount", "value": "20"}}}, keys(bob, done)},
			{"variable $in", map[string]any{"variables": []any{map[string]any{"name": "amount", "value": map[string]any{"$in": []string{"10", "30"}}}}}, keys(ann, carl)},
			{"variable $like", map[string]any{"variables": []any{map[string]any{"name": "customer", "value": map[string]any{"$like": `"*a*"`}}}}, keys(ann, carl)},
			{"variable $like escapes", map[string]any{"variables": []any{map[string]any{"name": "tags", "value": map[string]any{"$like": `["a\*b"]`}}}}, keys(ann)},
			{"variable $neq needs the variable", map[string]any{"variables": []any{map[string]any{"name": "tags", "value": map[string]any{"$neq": "[]"}}}}, keys(ann)},
			{"variable $exists", map[string]any{"variables": []any{map[string]any{"name": "tags", "value": map[string]any{"$exists": true}}}}, keys(ann)},
			{"two variable filters are ANDed", map[string]any{"variables": []any{
				map[string]any{"name": "customer", "value": `"bob"`}, map[string]any{"name": "amount", "value": "10"}}}, keys()},
			{"variables in $or", map[string]any{"$or": []any{
				map[string]any{"variables": []any{map[string]any{"name": "customer", "value": `"ann"`}}},
				map[string]any{"state": "COMPLETED"}}}, keys(ann, done)},
			{"unknown variable", map[string]any{"variables": []any{map[string]any{"name": "nope", "value": map[string]any{"$exists": true}}}}, keys()},

			{"elementId", map[string]any{"elementId": "charge"}, orders},
			{"elementId is never the process's own", map[string]any{"elementId": "order"}, keys()},
			{"elementId and elementInstanceState hold for one element instance", map[string]any{"elementId": "charge", "elementInstanceState": "ACTIVE"}, keys(ann, bob)},
			{"elementInstanceState", map[string]any{"elementInstanceState": "TERMINATED"}, keys(carl)},
			{"elementId $like and state $in", map[string]any{"elementId": map[string]any{"$like": "ch*"}, "elementInstanceState": map[string]any{"$in": []string{"TERMINATED"}}}, keys(carl)},
			{"elementId with the state of another element", map[string]any{"elementId": "received", "elementInstanceState": "ACTIVE"}, keys()},
			{"hasElementInstanceIncident", map[string]any{"hasElementInstanceIncident": true}, keys()},
			{"errorMessage of an open incident", map[string]any{"errorMessage": map[string]any{"$like": "*declined*"}}, keys()},
			{"element filters in $or", map[string]any{"$or": []any{map[string]any{"elementId": "end"}, map[string]any{"elementInstanceState": "TERMINATED"}}}, keys(carl, done)},
		}
		for _, tc := range cases {
			if got := instanceKeys(t, c, tc.filter); !sameKeys(got, tc.want) {
				t.Errorf("%s: %v found %v, want %v", tc.name, tc.filter, got, tc.want)
			}
		}

		// Definition statistics take the same filter, $or and variables included.
		defs := want(t, c.post("/v2/process-definitions/search", filter(map[string]any{"processDefinitionId": "order"})), http.StatusOK).obj(t)
		def := str(defs["items"].([]any)[0].(map[string]any), "processDefinitionKey")
		st := want(t, c.post("/v2/process-definitions/"+def+"/statistics/element-instances", filter(map[string]any{
			"$or": []any{map[string]any{"variables": []any{map[string]any{"name": "customer", "value": `"ann"`}}}, map[string]any{"state": "TERMINATED"}},
		})), http.StatusOK).obj(t)
		var charge map[string]any
		for _, it := range st["items"].([]any) {
			if m := it.(map[string]any); m["elementId"] == "charge" {
				charge = m
			}
		}
		if charge == nil || charge["active"] != float64(1) || charge["canceled"] != float64(1) {
			t.Errorf("statistics with $or: %v", st)
		}

		bad := []struct {
			name string
			path string
			body string
		}{
			{"empty $or", "/v2/process-instances/search", `{"filter":{"$or":[]}}`},
			{"nested $or", "/v2/process-instances/search", `{"filter":{"$or":[{"$or":[{"state":"ACTIVE"}]}]}}`},
			{"$or not an array", "/v2/process-instances/search", `{"filter":{"$or":{"state":"ACTIVE"}}}`},
			{"unknown field in $or", "/v2/process-instances/search", `{"filter":{"$or":[{"nope":1}]}}`},
			{"bad value in $or", "/v2/process-instances/search", `{"filter":{"$or":[{"state":"SLEEPING"}]}}`},
			{"$or where 8.8 has none", "/v2/jobs/search", `{"filter":{"$or":[{"type":"a"}]}}`},
			{"variable without value", "/v2/process-instances/search", `{"filter":{"variables":[{"name":"a"}]}}`},
			{"variable without name", "/v2/process-instances/search", `{"filter":{"variables":[{"value":"1"}]}}`},
			{"variable with an empty value filter", "/v2/process-instances/search", `{"filter":{"variables":[{"name":"a","value":{}}]}}`},
			{"variable value $gt", "/v2/process-instances/search", `{"filter":{"variables":[{"name":"a","value":{"$gt":"1"}}]}}`},
			{"variables where 8.8 has none", "/v2/jobs/search", `{"filter":{"variables":[{"name":"a","value":"1"}]}}`},
			{"$like on an integer", "/v2/process-instances/search", `{"filter":{"processDefinitionVersion":{"$like":"1*"}}}`},
			{"$gt on a key", "/v2/process-instances/search", `{"filter":{"processInstanceKey":{"$gt":"1"}}}`},
			{"$in on a boolean", "/v2/process-instances/search", `{"filter":{"hasIncident":{"$in":[true]}}}`},
			{"unknown operator", "/v2/process-instances/search", `{"filter":{"state":{"$regex":"A"}}}`},
			{"integer that is not one", "/v2/process-instances/search", `{"filter":{"processDefinitionVersion":{"$eq":"1a"}}}`},
			{"fractional integer", "/v2/process-instances/search", `{"filter":{"processDefinitionVersion":1.5}}`},
			{"$in not an array", "/v2/process-instances/search", `{"filter":{"state":{"$in":"ACTIVE"}}}`},
			{"$exists not a boolean", "/v2/process-instances/search", `{"filter":{"state":{"$exists":"yes"}}}`},
		}
		for _, tc := range bad {
			r := c.post(tc.path, tc.body)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400: %s", tc.name, r.status, r.body)
				continue
			}
			want(t, r, http.StatusBadRequest)
		}
	})
}

func TestUserTaskVariableFilters(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("approval.bpmn"), http.StatusOK)
		small := createProcess(t, c, "approval", map[string]any{"amount": 21, "reviewers": []string{"ann"}})
		big := createProcess(t, c, "approval", map[string]any{"amount": 5000, "reviewers": []string{"bob"}})
		var taskElement string
		eventually(t, "both tasks are created", func() bool {
			found := searchTasks(t, c, filter(map[string]any{"state": "CREATED"}))
			for _, f := range found {
				if str(f, "processInstanceKey") == small {
					taskElement = str(f, "elementInstanceKey")
				}
			}
			return len(found) == 2
		})
		want(t, c.send(http.MethodPut, "/v2/element-instances/"+taskElement+"/variables",
			map[string]any{"variables": map[string]any{"note": "urgent"}, "local": true}), http.StatusNoContent)

		instancesOf := func(f map[string]any) []string {
			var out []string
			for _, task := range searchTasks(t, c, filter(f)) {
				out = append(out, str(task, "processInstanceKey"))
			}
			sort.Strings(out)
			return out
		}
		cases := []struct {
			name   string
			filter map[string]any
			want   []string
		}{
			{"process variable $eq", map[string]any{"processInstanceVariables": []any{map[string]any{"name": "amount", "value": "21"}}}, keys(small)},
			{"process variable $in", map[string]any{"processInstanceVariables": []any{map[string]any{"name": "amount", "value": map[string]any{"$in": []string{"21", "5000"}}}}}, keys(small, big)},
			{"process variable $like", map[string]any{"processInstanceVariables": []any{map[string]any{"name": "reviewers", "value": map[string]any{"$like": `*"bob"*`}}}}, keys(big)},
			{"process variables do not include local ones", map[string]any{"processInstanceVariables": []any{map[string]any{"name": "note", "value": `"urgent"`}}}, keys()},
			{"local variable", map[string]any{"localVariables": []any{map[string]any{"name": "note", "value": `"urgent"`}}}, keys(small)},
			{"local variables do not include the process's", map[string]any{"localVariables": []any{map[string]any{"name": "amount", "value": "21"}}}, keys()},
			{"both with another field", map[string]any{"state": "CREATED",
				"localVariables":           []any{map[string]any{"name": "note", "value": map[string]any{"$exists": true}}},
				"processInstanceVariables": []any{map[string]any{"name": "amount", "value": map[string]any{"$neq": "5000"}}}}, keys(small)},
		}
		for _, tc := range cases {
			if got := instancesOf(tc.filter); !sameKeys(got, tc.want) {
				t.Errorf("%s: found tasks of %v, want %v", tc.name, got, tc.want)
			}
		}
		if r := c.post("/v2/user-tasks/search", `{"filter":{"variables":[{"name":"a","value":"1"}]}}`); r.status != http.StatusBadRequest {
			t.Errorf("process instance variables field on user tasks: %d %s", r.status, r.body)
		}
	})
}

func TestMessageSubscriptionSearch(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("payment.bpmn"), http.StatusOK)
		paid := createProcess(t, c, "payment", map[string]any{"orderId": "o-1"})
		waiting := createProcess(t, c, "payment", map[string]any{"orderId": "o-2"})
		canceled := createProcess(t, c, "payment", map[string]any{"orderId": "o-3"})
		want(t, c.post("/v2/messages/correlation", map[string]any{"name": "paid", "correlationKey": "o-1"}), http.StatusOK)
		want(t, c.post("/v2/process-instances/"+canceled+"/cancellation", nil), http.StatusNoContent)

		search := func(f map[string]any) map[string]string {
			t.Helper()
			r := want(t, c.post("/v2/message-subscriptions/search", filter(f)), http.StatusOK).obj(t)
			out := map[string]string{}
			for _, it := range r["items"].([]any) {
				m := it.(map[string]any)
				if str(m, "messageName") != "paid" || str(m, "elementId") != "wait-paid" || str(m, "processDefinitionId") != "payment" ||
					str(m, "tenantId") != "<default>" || str(m, "messageSubscriptionKey") == "" || str(m, "elementInstanceKey") == "" {
					t.Fatalf("subscription item: %v", m)
				}
				out[str(m, "processInstanceKey")] = str(m, "messageSubscriptionState") + " " + str(m, "correlationKey")
			}
			return out
		}
		all := search(map[string]any{"messageName": "paid"})
		if all[paid] != "CORRELATED o-1" || all[waiting] != "CREATED o-2" || all[canceled] != "DELETED o-3" || len(all) != 3 {
			t.Fatalf("subscriptions: %v", all)
		}
		for name, tc := range map[string]struct {
			f    map[string]any
			want []string
		}{
			"state":                   {map[string]any{"messageSubscriptionState": "CREATED"}, []string{waiting}},
			"state $in":               {map[string]any{"messageSubscriptionState": map[string]any{"$in": []string{"CORRELATED", "DELETED"}}}, []string{paid, canceled}},
			"state $neq":              {map[string]any{"messageSubscriptionState": map[string]any{"$neq": "CREATED"}}, []string{paid, canceled}},
			"correlationKey $like":    {map[string]any{"correlationKey": map[string]any{"$like": "o-?"}}, []string{paid, waiting, canceled}},
			"processInstanceKey":      {map[string]any{"processInstanceKey": waiting}, []string{waiting}},
			"processInstanceKey $in":  {map[string]any{"processInstanceKey": map[string]any{"$in": []string{paid, canceled}}}, []string{paid, canceled}},
			"unknown message":         {map[string]any{"messageName": "shipped"}, nil},
			"processDefinitionId":     {map[string]any{"processDefinitionId": "payment", "correlationKey": "o-2"}, []string{waiting}},
			"messageSubscriptionKey ": {map[string]any{"messageSubscriptionKey": map[string]any{"$exists": true}}, []string{paid, waiting, canceled}},
		} {
			got := search(tc.f)
			var ks []string
			for k := range got {
				ks = append(ks, k)
			}
			if !sameKeys(keys(ks...), keys(tc.want...)) {
				t.Errorf("%s: found %v, want %v", name, got, tc.want)
			}
		}
		sorted := want(t, c.post("/v2/message-subscriptions/search", map[string]any{
			"sort": []any{map[string]any{"field": "correlationKey", "order": "DESC"}}, "page": map[string]any{"limit": 2}}), http.StatusOK).obj(t)
		items := sorted["items"].([]any)
		if len(items) != 2 || str(items[0].(map[string]any), "correlationKey") != "o-3" || sorted["page"].(map[string]any)["totalItems"] != float64(3) {
			t.Errorf("sorted page: %v", sorted)
		}
		for _, body := range []string{`{"filter":{"lastUpdatedDate":"2026-01-01T00:00:00Z"}}`, `{"filter":{"messageSubscriptionState":"SLEEPING"}}`,
			`{"sort":[{"field":"lastUpdatedDate"}]}`} {
			if r := c.post("/v2/message-subscriptions/search", body); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
	})
}

func TestProcessInstanceIncidentFilters(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("order.bpmn"), http.StatusOK)
		failing := createProcess(t, c, "order", nil)
		fine := createProcess(t, c, "order", nil)
		jobs := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "timeout": 30000, "maxJobsToActivate": 1, "requestTimeout": -1}), http.StatusOK).obj(t)
		job := jobs["jobs"].([]any)[0].(map[string]any)
		if str(job, "processInstanceKey") != failing {
			failing, fine = fine, failing
		}
		want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/failure", map[string]any{"retries": 0, "errorMessage": "card declined"}), http.StatusNoContent)

		cases := []struct {
			name   string
			filter map[string]any
			want   []string
		}{
			{"errorMessage", map[string]any{"errorMessage": "card declined"}, keys(failing)},
			{"errorMessage $like", map[string]any{"errorMessage": map[string]any{"$like": "*declined"}}, keys(failing)},
			{"errorMessage of no incident", map[string]any{"errorMessage": "card stolen"}, keys()},
			{"hasElementInstanceIncident", map[string]any{"hasElementInstanceIncident": true, "elementId": "charge"}, keys(failing)},
			{"hasIncident", map[string]any{"hasIncident": true}, keys(failing)},
			{"errorMessage in $or", map[string]any{"$or": []any{map[string]any{"errorMessage": "card declined"}, map[string]any{"processInstanceKey": fine}}}, keys(failing, fine)},
		}
		for _, tc := range cases {
			if got := instanceKeys(t, c, tc.filter); !sameKeys(got, tc.want) {
				t.Errorf("%s: %v found %v, want %v", tc.name, tc.filter, got, tc.want)
			}
		}
		incidents := want(t, c.post("/v2/incidents/search", filter(map[string]any{"processInstanceKey": failing})), http.StatusOK).obj(t)
		incident := str(incidents["items"].([]any)[0].(map[string]any), "incidentKey")
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(job, "jobKey"), map[string]any{"changeset": map[string]any{"retries": 1}}), http.StatusNoContent)
		want(t, c.post("/v2/incidents/"+incident+"/resolution", nil), http.StatusNoContent)
		if got := instanceKeys(t, c, map[string]any{"errorMessage": "card declined"}); len(got) != 0 {
			t.Errorf("errorMessage of a resolved incident still finds %v", got)
		}
	})
}
