package rest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

func TestDefinitions(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		key := setup(t, c)
		want(t, c.deploy("order-v2.bpmn"), http.StatusOK)
		found := want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"processDefinitionId": "order", "version": 1}}), http.StatusOK).obj(t)
		items := found["items"].([]any)
		if len(items) != 1 || str(items[0].(map[string]any), "processDefinitionKey") != key || str(items[0].(map[string]any), "name") != "Order" {
			t.Fatalf("definition search: %v", found)
		}
		sorted := want(t, c.post("/v2/process-definitions/search", map[string]any{"sort": []any{map[string]any{"field": "version", "order": "DESC"}}}), http.StatusOK).obj(t)
		if v := sorted["items"].([]any)[0].(map[string]any)["version"]; v != float64(2) {
			t.Fatalf("sorted by version: %v", sorted)
		}
		for latest, version := range map[bool]float64{true: 2, false: 1} {
			found := want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"processDefinitionId": "order", "isLatestVersion": latest}}), http.StatusOK).obj(t)
			if items := found["items"].([]any); len(items) != 1 || items[0].(map[string]any)["version"] != version {
				t.Fatalf("isLatestVersion %t: %v", latest, found)
			}
		}
		got := want(t, c.get("/v2/process-definitions/"+key), http.StatusOK).obj(t)
		if str(got, "processDefinitionId") != "order" || str(got, "resourceName") != "order.bpmn" {
			t.Fatalf("get definition: %v", got)
		}
		x := want(t, c.get("/v2/process-definitions/"+key+"/xml"), http.StatusOK)
		if !strings.HasPrefix(x.header.Get("Content-Type"), "text/xml") || !strings.Contains(string(x.body), `id="order"`) {
			t.Fatalf("xml: %s %s", x.header.Get("Content-Type"), x.body)
		}
		want(t, c.get("/v2/process-definitions/999"), http.StatusNotFound)
		want(t, c.get("/v2/process-definitions/999/xml"), http.StatusNotFound)
		want(t, c.get("/v2/process-definitions/x1/xml"), http.StatusBadRequest)
		want(t, c.post("/v2/process-definitions/search", map[string]any{"filter": map[string]any{"version": "one"}}), http.StatusBadRequest)
	})
}

func TestElementInstancesAndVariables(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		pi := create(t, c, map[string]any{"amount": 10, "big": json.Number("12345678901234567890")})
		job := activate(t, c, 1)[0]
		task := str(job, "elementInstanceKey")

		els := want(t, c.post("/v2/element-instances/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi},
			"sort": []any{map[string]any{"field": "elementInstanceKey"}}}), http.StatusOK).obj(t)
		items := els["items"].([]any)
		if len(items) != 3 {
			t.Fatalf("element instances: %v", els)
		}
		types := []string{}
		for _, it := range items {
			types = append(types, str(it.(map[string]any), "type"))
		}
		if strings.Join(types, ",") != "PROCESS,START_EVENT,SERVICE_TASK" {
			t.Fatalf("element types %v", types)
		}
		el := want(t, c.get("/v2/element-instances/"+task), http.StatusOK).obj(t)
		if str(el, "elementName") != "Charge card" || str(el, "state") != "ACTIVE" || str(el, "elementId") != "charge" {
			t.Fatalf("element: %v", el)
		}
		scoped := want(t, c.post("/v2/element-instances/search", map[string]any{"filter": map[string]any{"elementInstanceScopeKey": pi, "type": "SERVICE_TASK"}}), http.StatusOK).obj(t)
		if len(scoped["items"].([]any)) != 1 {
			t.Fatalf("scoped search: %v", scoped)
		}
		want(t, c.get("/v2/element-instances/999"), http.StatusNotFound)
		want(t, c.post("/v2/element-instances/search", map[string]any{"filter": map[string]any{"type": "ROCKET"}}), http.StatusBadRequest)

		// Set variables: local on the task, propagated to the root.
		want(t, c.send(http.MethodPut, "/v2/element-instances/"+task+"/variables", map[string]any{"variables": map[string]any{"attempt": 1}, "local": true}), http.StatusNoContent)
		want(t, c.send(http.MethodPut, "/v2/element-instances/"+task+"/variables", map[string]any{"variables": map[string]any{"amount": 11}}), http.StatusNoContent)
		want(t, c.send(http.MethodPut, "/v2/element-instances/999/variables", map[string]any{"variables": map[string]any{"a": 1}}), http.StatusNotFound)
		want(t, c.send(http.MethodPut, "/v2/element-instances/"+task+"/variables", map[string]any{"local": true}), http.StatusBadRequest)
		want(t, c.send(http.MethodPut, "/v2/element-instances/"+task+"/variables", map[string]any{"variables": "x"}), http.StatusBadRequest)

		vars := want(t, c.post("/v2/variables/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi}, "sort": []any{map[string]any{"field": "name"}}}), http.StatusOK).obj(t)
		got := map[string]map[string]any{}
		for _, it := range vars["items"].([]any) {
			v := it.(map[string]any)
			got[str(v, "name")] = v
		}
		if len(got) != 3 || str(got["amount"], "value") != "11" || str(got["attempt"], "scopeKey") != task || str(got["amount"], "scopeKey") != pi ||
			str(got["big"], "value") != "12345678901234567890" || got["amount"]["isTruncated"] != false {
			t.Fatalf("variables: %v", vars)
		}
		one := want(t, c.get("/v2/variables/"+str(got["attempt"], "variableKey")), http.StatusOK).obj(t)
		if str(one, "value") != "1" || str(one, "name") != "attempt" {
			t.Fatalf("get variable: %v", one)
		}
		like := want(t, c.post("/v2/variables/search", map[string]any{"filter": map[string]any{"name": map[string]any{"$like": "am*"}}}), http.StatusOK).obj(t)
		if len(like["items"].([]any)) != 1 {
			t.Fatalf("$like: %v", like)
		}
		want(t, c.get("/v2/variables/999"), http.StatusNotFound)
		want(t, c.post("/v2/variables/search", map[string]any{"filter": map[string]any{"name": map[string]any{"$gt": "a"}}}), http.StatusBadRequest)
	})
}
