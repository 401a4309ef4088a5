package rest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// str reads a string field of a decoded object.
func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

// setup deploys the order process and returns its definition key.
func setup(t *testing.T, c *client) string {
	t.Helper()
	d := want(t, c.deploy("order.bpmn"), http.StatusOK).obj(t)
	deps, _ := d["deployments"].([]any)
	if len(deps) != 1 {
		t.Fatalf("deployments: %s", c.deploy("order.bpmn").body)
	}
	pd, _ := deps[0].(map[string]any)["processDefinition"].(map[string]any)
	return str(pd, "processDefinitionKey")
}

// create starts an order instance and returns its key.
func create(t *testing.T, c *client, vars map[string]any) string {
	t.Helper()
	r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "variables": vars}), http.StatusOK).obj(t)
	return str(r, "processInstanceKey")
}

// activate activates up to n charge-card jobs without waiting.
func activate(t *testing.T, c *client, n int) []map[string]any {
	t.Helper()
	r := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "worker": "test", "timeout": 60000,
		"maxJobsToActivate": n, "requestTimeout": -1}), http.StatusOK).obj(t)
	var out []map[string]any
	for _, j := range r["jobs"].([]any) {
		out = append(out, j.(map[string]any))
	}
	return out
}

func TestCluster(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		topo := want(t, c.get("/v2/topology"), http.StatusOK).obj(t)
		if topo["clusterSize"] != float64(1) || !strings.HasPrefix(str(topo, "gatewayVersion"), "8.8") {
			t.Fatalf("topology: %v", topo)
		}
		want(t, c.get("/v2/status"), http.StatusNoContent)
		want(t, c.get("/healthz"), http.StatusOK)
		want(t, c.get("/readyz"), http.StatusOK)
		m := want(t, c.get("/metrics"), http.StatusOK)
		if !strings.Contains(string(m.body), "wf_http_requests_total") {
			t.Fatalf("metrics lack the HTTP counter:\n%s", m.body)
		}
	})
}

func TestDeployments(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		first := want(t, c.deploy("order.bpmn"), http.StatusOK).obj(t)
		again := want(t, c.deploy("order.bpmn"), http.StatusOK).obj(t)
		pd := func(m map[string]any) map[string]any {
			return m["deployments"].([]any)[0].(map[string]any)["processDefinition"].(map[string]any)
		}
		if pd(first)["processDefinitionKey"] != pd(again)["processDefinitionKey"] || pd(again)["processDefinitionVersion"] != float64(1) {
			t.Fatalf("redeploying identical XML made a new version: %v then %v", first, again)
		}
		v2 := want(t, c.deploy("order-v2.bpmn"), http.StatusOK).obj(t)
		if pd(v2)["processDefinitionVersion"] != float64(2) {
			t.Fatalf("changed XML: %v", v2)
		}
		two := want(t, c.deploy("order.bpmn", "broken.bpmn"), http.StatusBadRequest)
		if !strings.Contains(string(two.body), "broken.bpmn") {
			t.Fatalf("invalid BPMN answer does not name the file: %s", two.body)
		}
		want(t, c.do(http.MethodPost, "/v2/deployments", "multipart/form-data; boundary=x", []byte("--x--\r\n")), http.StatusBadRequest)
		want(t, c.post("/v2/deployments", map[string]any{"resources": "x"}), http.StatusUnsupportedMediaType)

		// Parts the request does not have are refused, not dropped: a
		// misspelt tenantId would deploy to the default tenant (ADR 44).
		bpmn := readTestdata(t, "order.bpmn")
		for _, tc := range []struct {
			parts []part
			says  string
		}{
			{[]part{{name: "resources", filename: "order.bpmn", body: bpmn}, {name: "tenantid", body: []byte("acme")}},
				"part 'tenantid' is not a part of this request (known: resources, tenantId)"},
			{[]part{{name: "resource", filename: "order.bpmn", body: bpmn}}, "part 'resource' is not a part of this request"},
			{[]part{{name: "resources", filename: "order.bpmn", body: bpmn}, {name: "tenantId", body: []byte("<default>")}, {name: "tenantId", body: []byte("acme")}},
				"tenantId: expected one part named 'tenantId', got 2"},
			{[]part{{name: "resources", filename: "order.bpmn", body: bpmn}, {name: "tenantId", filename: "t.txt", body: []byte("<default>")}},
				"tenantId: expected a part without a file name, got the file \"t.txt\""},
		} {
			problem(t, c.upload("/v2/deployments", nil, tc.parts...), http.StatusBadRequest, "INVALID_ARGUMENT", tc.says)
		}
		want(t, c.upload("/v2/deployments", nil, part{name: "resources", filename: "order.bpmn", body: bpmn}, part{name: "tenantId", body: []byte("<default>")}), http.StatusOK)
	})
}

func TestProcessInstances(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		defKey := setup(t, c)
		byID := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "variables": map[string]any{"amount": 12.5}}), http.StatusOK).obj(t)
		if str(byID, "processDefinitionKey") != defKey || byID["processDefinitionVersion"] != float64(1) || str(byID, "tenantId") != "<default>" {
			t.Fatalf("created: %v", byID)
		}
		byKey := want(t, c.post("/v2/process-instances", fmt.Sprintf(`{"processDefinitionKey": %s}`, defKey)), http.StatusOK).obj(t)
		want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "processDefinitionVersion": 1}), http.StatusOK)
		pi := str(byID, "processInstanceKey")

		got := want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).obj(t)
		if str(got, "state") != "ACTIVE" || str(got, "processDefinitionName") != "Order" || got["hasIncident"] != false {
			t.Fatalf("get: %v", got)
		}
		want(t, c.post("/v2/process-instances/"+str(byKey, "processInstanceKey")+"/cancellation", map[string]any{}), http.StatusNoContent)
		cancelled := want(t, c.get("/v2/process-instances/"+str(byKey, "processInstanceKey")), http.StatusOK).obj(t)
		if str(cancelled, "state") != "TERMINATED" || str(cancelled, "endDate") == "" {
			t.Fatalf("cancelled: %v", cancelled)
		}

		// Searches: filter, operators, sort, offset and cursor paging.
		all := want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"processDefinitionId": "order"}}), http.StatusOK).obj(t)
		if page := all["page"].(map[string]any); page["totalItems"] != float64(3) {
			t.Fatalf("search all: %v", all)
		}
		active := want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"state": map[string]any{"$in": []string{"ACTIVE"}}}}), http.StatusOK).obj(t)
		if n := active["page"].(map[string]any)["totalItems"]; n != float64(2) {
			t.Fatalf("active instances: %v", active)
		}
		p1 := want(t, c.post("/v2/process-instances/search", map[string]any{"sort": []any{map[string]any{"field": "processInstanceKey", "order": "DESC"}}, "page": map[string]any{"limit": 2}}), http.StatusOK).obj(t)
		items := p1["items"].([]any)
		if len(items) != 2 || str(items[0].(map[string]any), "processInstanceKey") < str(items[1].(map[string]any), "processInstanceKey") {
			t.Fatalf("sorted page: %v", p1)
		}
		p2 := want(t, c.post("/v2/process-instances/search", map[string]any{"sort": []any{map[string]any{"field": "processInstanceKey", "order": "DESC"}},
			"page": map[string]any{"limit": 2, "after": p1["page"].(map[string]any)["endCursor"]}}), http.StatusOK).obj(t)
		if len(p2["items"].([]any)) != 1 {
			t.Fatalf("second page: %v", p2)
		}
		back := want(t, c.post("/v2/process-instances/search", map[string]any{"sort": []any{map[string]any{"field": "processInstanceKey", "order": "DESC"}},
			"page": map[string]any{"limit": 2, "before": p2["page"].(map[string]any)["startCursor"]}}), http.StatusOK).obj(t)
		if fmt.Sprint(back["items"]) != fmt.Sprint(p1["items"]) {
			t.Fatalf("page before the second: %v, want %v", back["items"], p1["items"])
		}
		off := want(t, c.post("/v2/process-instances/search", map[string]any{"page": map[string]any{"from": 2, "limit": 5}}), http.StatusOK).obj(t)
		if len(off["items"].([]any)) != 1 {
			t.Fatalf("offset page: %v", off)
		}

		// Bad input.
		for name, body := range map[string]any{
			"neither id nor key":   map[string]any{"variables": map[string]any{}},
			"both id and key":      map[string]any{"processDefinitionId": "order", "processDefinitionKey": defKey},
			"variables not object": map[string]any{"processDefinitionId": "order", "variables": []int{1}},
			"wrong type":           `{"processDefinitionId": 12}`,
			"malformed JSON":       `{"processDefinitionId": `,
			"other tenant":         map[string]any{"processDefinitionId": "order", "tenantId": "acme"},
		} {
			r := want(t, c.post("/v2/process-instances", body), http.StatusBadRequest)
			if title(t, r) != "INVALID_ARGUMENT" {
				t.Fatalf("%s: %s", name, r.body)
			}
		}
		want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "nope"}), http.StatusNotFound)
		want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionKey": "123"}), http.StatusNotFound)
		want(t, c.get("/v2/process-instances/12345"), http.StatusNotFound)
		want(t, c.get("/v2/process-instances/abc"), http.StatusBadRequest)
		want(t, c.post("/v2/process-instances/12345/cancellation", nil), http.StatusNotFound)
		want(t, c.post("/v2/process-instances/"+str(byKey, "processInstanceKey")+"/cancellation", nil), http.StatusNotFound)
		for name, body := range map[string]any{
			"unknown field":     map[string]any{"filter": map[string]any{"colour": "red"}},
			"unknown enum":      map[string]any{"filter": map[string]any{"state": "SLEEPING"}},
			"bad operator":      map[string]any{"filter": map[string]any{"state": map[string]any{"$gt": "ACTIVE"}}},
			"from and after":    map[string]any{"page": map[string]any{"from": 1, "after": "WzFd"}},
			"unknown sort":      map[string]any{"sort": []any{map[string]any{"field": "colour"}}},
			"bad order":         map[string]any{"sort": []any{map[string]any{"field": "state", "order": "UP"}}},
			"key not a number":  map[string]any{"filter": map[string]any{"processInstanceKey": "abc"}},
			"date not a date":   map[string]any{"filter": map[string]any{"startDate": map[string]any{"$gt": "yesterday"}}},
			"limit too large":   map[string]any{"page": map[string]any{"limit": 20000}},
			"cursor not base64": map[string]any{"page": map[string]any{"after": "!!!!"}},
		} {
			r := c.post("/v2/process-instances/search", body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("%s: status %d: %s", name, r.status, r.body)
			}
			want(t, r, http.StatusBadRequest)
		}
	})
}

func TestAwaitCompletion(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		done := make(chan *response, 1)
		go func() {
			done <- c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "variables": map[string]any{"amount": 3, "note": "x"},
				"awaitCompletion": true, "fetchVariables": []string{"amount", "paid"}, "requestTimeout": 10000})
		}()
		var jobs []map[string]any
		eventually(t, "a job to activate", func() bool { jobs = activate(t, c, 1); return len(jobs) == 1 })
		want(t, c.post("/v2/jobs/"+str(jobs[0], "jobKey")+"/completion", map[string]any{"variables": map[string]any{"paid": true}}), http.StatusNoContent)
		r := want(t, <-done, http.StatusOK).obj(t)
		vars := r["variables"].(map[string]any)
		if len(vars) != 2 || vars["amount"] != float64(3) || vars["paid"] != true {
			t.Fatalf("await completion variables: %v", r)
		}
		// An instance that ended before the wait began answers at once.
		want(t, c.deploy("noop.bpmn"), http.StatusOK)
		instant := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "noop", "variables": map[string]any{"n": 1},
			"awaitCompletion": true, "requestTimeout": 10000}), http.StatusOK).obj(t)
		if fmt.Sprint(instant["variables"]) != "map[n:1]" {
			t.Fatalf("await an instance that ended at once: %v", instant)
		}
		timedOut := c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "awaitCompletion": true, "requestTimeout": 50})
		want(t, timedOut, http.StatusGatewayTimeout)
		want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "fetchVariables": []string{"a"}}), http.StatusBadRequest)
	})
}

// A create awaiting its instance whose caller gives up is counted and
// logged as 499 (client closed request), not as the 5xx written to nobody:
// impatient clients must not raise the server's 5xx rate.
func TestAwaitCompletionWhoseCallerLeftCountsAs499(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		body := `{"processDefinitionId":"order","awaitCompletion":true,"requestTimeout":10000}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v2/process-instances", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		left := make(chan error, 1)
		go func() {
			res, err := c.http.Do(req)
			if err == nil {
				_ = res.Body.Close()
			}
			left <- err
		}()
		// The instance waits at its service task: the create was accepted.
		eventually(t, "the instance's job", func() bool { return len(activate(t, c, 1)) == 1 })
		cancel()
		if err := <-left; !errors.Is(err, context.Canceled) {
			t.Fatalf("the canceled request: %v", err)
		}
		counted := regexp.MustCompile(`(?m)^wf_http_requests_total\{[^}]*route="/v2/process-instances"[^}]*status="(\d+)"[^}]*\} 1$`)
		var statuses []string
		eventually(t, "the create to be counted", func() bool {
			statuses = nil
			for _, m := range counted.FindAllStringSubmatch(string(c.get("/metrics").body), -1) {
				statuses = append(statuses, m[1])
			}
			return len(statuses) > 0
		})
		if len(statuses) != 1 || statuses[0] != "499" {
			t.Fatalf("the create was counted with statuses %v, want 499 only", statuses)
		}
	})
}

// A value that matches none of a property's alternatives (a filter's plain
// value or object of operators; a key as a string or a number) is refused
// by what is wrong with it: the alternative of its JSON type says, or the
// detail lists the types allowed.
func TestValidationSaysWhichAlternativeFailsAndWhy(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		for _, tc := range []struct {
			path, body, says string
		}{
			{"/v2/process-instances/search", `{"filter":{"state":{"$eq":"ACTIVE","$foo":1}}}`, `request property 'filter.state': property "$foo" is unsupported`},
			{"/v2/process-instances/search", `{"filter":{"state":{"$in":"ACTIVE"}}}`, "request property 'filter.state.$in': value must be an array"},
			{"/v2/process-instances/search", `{"filter":{"state":[1]}}`, "request property 'filter.state': expected a string, a number, a boolean or an object"},
			{"/v2/process-instances", `{"processDefinitionKey":[1]}`, "request property 'processDefinitionKey': expected a string or an integer"},
		} {
			problem(t, c.post(tc.path, tc.body), http.StatusBadRequest, "INVALID_ARGUMENT", tc.says)
		}
	})
}
