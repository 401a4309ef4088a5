package rest_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// statistics reads the items of a statistics answer as elementId -> counts.
func statistics(t *testing.T, r *response) map[string]rest.ElementStatisticsResult {
	t.Helper()
	var out rest.ElementStatisticsQueryResult
	want(t, r, http.StatusOK).json(t, &out)
	m := map[string]rest.ElementStatisticsResult{}
	for _, it := range out.Items {
		m[it.ElementID] = it
	}
	return m
}

func counts(id string, active, canceled, incidents, completed int64) rest.ElementStatisticsResult {
	return rest.ElementStatisticsResult{ElementID: id, Active: active, Canceled: canceled, Incidents: incidents, Completed: completed}
}

// TestElementStatistics: the counts per element of a definition's and of
// an instance's element instances, Camunda 8.8's statistics routes.
func TestElementStatistics(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		def := setup(t, c)
		done, waiting, canceled, failing := create(t, c, nil), create(t, c, nil), create(t, c, nil), create(t, c, nil)
		want(t, c.post("/v2/process-instances/"+canceled+"/cancellation", nil), http.StatusNoContent)
		for _, j := range activate(t, c, 3) {
			switch str(j, "processInstanceKey") {
			case done:
				want(t, c.post("/v2/jobs/"+str(j, "jobKey")+"/completion", map[string]any{}), http.StatusNoContent)
			case failing:
				want(t, c.post("/v2/jobs/"+str(j, "jobKey")+"/failure", map[string]any{"retries": 0, "errorMessage": "declined"}), http.StatusNoContent)
			}
		}
		path := "/v2/process-definitions/" + def + "/statistics/element-instances"
		all := statistics(t, c.post(path, nil))
		wantAll := map[string]rest.ElementStatisticsResult{
			"received": counts("received", 0, 0, 0, 4),
			"charge":   counts("charge", 1, 1, 1, 1),
			"done":     counts("done", 0, 0, 0, 1),
		}
		if !reflect.DeepEqual(all, wantAll) {
			t.Fatalf("definition statistics:\n got %+v\nwant %+v", all, wantAll)
		}
		if got := statistics(t, c.post(path, map[string]any{})); !reflect.DeepEqual(got, wantAll) {
			t.Fatalf("with an empty body: %+v", got)
		}
		active := statistics(t, c.post(path, map[string]any{"filter": map[string]any{"state": "ACTIVE", "hasIncident": false}}))
		if want := map[string]rest.ElementStatisticsResult{"received": counts("received", 0, 0, 0, 1), "charge": counts("charge", 1, 0, 0, 0)}; !reflect.DeepEqual(active, want) {
			t.Fatalf("active instances without incident: %+v", active)
		}
		none := statistics(t, c.post(path, map[string]any{"filter": map[string]any{"processInstanceKey": "999"}}))
		if len(none) != 0 {
			t.Fatalf("no instance matches: %+v", none)
		}
		one := statistics(t, c.get("/v2/process-instances/"+done+"/statistics/element-instances"))
		if want := map[string]rest.ElementStatisticsResult{"received": counts("received", 0, 0, 0, 1), "charge": counts("charge", 0, 0, 0, 1),
			"done": counts("done", 0, 0, 0, 1)}; !reflect.DeepEqual(one, want) {
			t.Fatalf("instance statistics: %+v", one)
		}
		if got := statistics(t, c.get("/v2/process-instances/"+failing+"/statistics/element-instances")); got["charge"] != counts("charge", 0, 0, 1, 0) {
			t.Fatalf("instance with an incident: %+v", got)
		}
		_ = waiting

		// Bad input.
		want(t, c.post("/v2/process-definitions/999/statistics/element-instances", nil), http.StatusNotFound)
		want(t, c.post("/v2/process-definitions/x1/statistics/element-instances", nil), http.StatusBadRequest)
		want(t, c.post(path, map[string]any{"filter": map[string]any{"ghost": 1}}), http.StatusBadRequest)
		want(t, c.post(path, map[string]any{"filter": map[string]any{"state": "ROCKET"}}), http.StatusBadRequest)
		want(t, c.post(path, map[string]any{"sort": []any{}}), http.StatusBadRequest)
		want(t, c.post(path, "[]"), http.StatusBadRequest)
		want(t, c.get("/v2/process-instances/999/statistics/element-instances"), http.StatusNotFound)
		want(t, c.get("/v2/process-instances/1.5/statistics/element-instances"), http.StatusBadRequest)
	})
}

// TestElementStatisticsOfAnotherTenant: another tenant's definition and
// instance answer 404, as if they did not exist; a user may not count.
func TestElementStatisticsOfAnotherTenant(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			c := start(t, sc.open(t), rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true})
			acme, beta := as("operator", "acme"), as("operator", "beta")
			d := want(t, deployTo(t, c, "order.bpmn", "acme", acme), http.StatusOK).obj(t)
			def := str(d["deployments"].([]any)[0].(map[string]any)["processDefinition"].(map[string]any), "processDefinitionKey")
			pi := str(want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "tenantId": "acme"}, acme...), http.StatusOK).obj(t), "processInstanceKey")
			defPath, piPath := "/v2/process-definitions/"+def+"/statistics/element-instances", "/v2/process-instances/"+pi+"/statistics/element-instances"
			if got := statistics(t, c.send(http.MethodPost, defPath, nil, acme...)); got["charge"].Active != 1 {
				t.Fatalf("acme's definition: %+v", got)
			}
			if got := statistics(t, c.send(http.MethodGet, piPath, nil, acme...)); got["charge"].Active != 1 {
				t.Fatalf("acme's instance: %+v", got)
			}
			want(t, c.send(http.MethodPost, defPath, nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, piPath, nil, beta...), http.StatusNotFound)
			want(t, c.send(http.MethodGet, piPath, nil, as("user", "acme")...), http.StatusForbidden)
		})
	}
}
