package rest_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

// TestEveryIntegerFieldOverHTTP sends every integer field of every served
// request body (listed from api/openapi.yaml) through the server: a string
// holding an integer passes the validator, anything else is a 400 that
// names the field.
func TestEveryIntegerFieldOverHTTP(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, f := range rest.IntegerFields(t) {
		method, path, _ := strings.Cut(f.Operation, " ")
		path = param.ReplaceAllString(path, "1")
		t.Run(f.Operation+" "+f.Name(), func(t *testing.T) {
			quoted := "'" + f.Name() + "'"
			for _, good := range []any{strconv.FormatInt(f.Valid(), 10), f.Valid()} {
				r := c.send(method, path, f.Body(good))
				if r.status == http.StatusBadRequest && strings.Contains(string(r.body), quoted) {
					t.Fatalf("%s %v: %s", f.Name(), good, r.body)
				}
			}
			for _, bad := range []any{"12a", "", "1.5", 1.5, json.Number("99999999999999999999")} {
				r := want(t, c.send(method, path, f.Body(bad)), http.StatusBadRequest)
				if detail := r.obj(t)["detail"].(string); !strings.Contains(detail, quoted) {
					t.Fatalf("%s %v: the problem does not name the field: %s", f.Name(), bad, detail)
				}
			}
		})
	}
}

// TestIntegersAsStrings drives the job life cycle with every integer
// written as a string, as Camunda's JavaScript client does in its strict
// request validation: the handlers read the same values as from numbers.
func TestIntegersAsStrings(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		pi := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "processDefinitionVersion": "1",
			"requestTimeout": "5000", "operationReference": "7", "variables": map[string]any{"amount": "12"}}), http.StatusOK).obj(t)
		if pi["processDefinitionVersion"] != float64(1) {
			t.Fatalf("created instance: %v", pi)
		}
		activateAll := map[string]any{"type": "charge-card", "worker": "w", "timeout": "60000", "maxJobsToActivate": "1", "requestTimeout": "-1"}
		jobs := want(t, c.post("/v2/jobs/activation", activateAll), http.StatusOK).obj(t)["jobs"].([]any)
		if len(jobs) != 1 {
			t.Fatalf("activation: %v", jobs)
		}
		job := jobs[0].(map[string]any)
		if vars := job["variables"].(map[string]any); vars["amount"] != "12" {
			t.Fatalf("a variable holding a string stays a string: %v", vars)
		}
		key := str(job, "jobKey")
		want(t, c.post("/v2/jobs/"+key+"/failure", map[string]any{"retries": "2", "retryBackOff": "0", "errorMessage": "again"}), http.StatusNoContent)
		var again []any
		eventually(t, "the failed job to come back", func() bool {
			again = want(t, c.post("/v2/jobs/activation", activateAll), http.StatusOK).obj(t)["jobs"].([]any)
			return len(again) == 1
		})
		if again[0].(map[string]any)["retries"] != float64(2) {
			t.Fatalf("retried job: %v", again[0])
		}
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+key, map[string]any{"changeset": map[string]any{"retries": "4", "timeout": "30000"}, "operationReference": "8"}), http.StatusNoContent)
		found := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"jobKey": key}, "page": map[string]any{"limit": "1", "from": "0"}}), http.StatusOK).obj(t)
		items := found["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["retries"] != float64(4) {
			t.Fatalf("updated job: %v", found)
		}
		// Integer filter fields of searches read the same way.
		for _, filter := range []any{"4", map[string]any{"$gte": "4", "$lt": 5}, map[string]any{"$in": []any{"4", 9}}} {
			found := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"retries": filter}}), http.StatusOK).obj(t)
			if items := found["items"].([]any); len(items) != 1 {
				t.Fatalf("retries %v: %v", filter, found)
			}
		}
		for _, filter := range []any{"+4", "4.0", 4.5, ""} {
			r := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"retries": filter}}), http.StatusBadRequest)
			if d := r.obj(t)["detail"].(string); !strings.Contains(d, "retries") {
				t.Fatalf("retries %v: %s", filter, d)
			}
		}
		want(t, c.post("/v2/messages/publication", map[string]any{"name": "m", "correlationKey": "k", "timeToLive": "60000"}), http.StatusOK)
		// Out of range for maxJobsToActivate's int32, and a fraction.
		r := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "t", "timeout": 1, "maxJobsToActivate": "2147483648"}), http.StatusBadRequest)
		if d := r.obj(t)["detail"].(string); !strings.Contains(d, "'maxJobsToActivate'") || !strings.Contains(d, "out of range") {
			t.Fatalf("out of range: %s", d)
		}
		r = want(t, c.post("/v2/jobs/activation", map[string]any{"type": "t", "timeout": "1.5", "maxJobsToActivate": 1}), http.StatusBadRequest)
		if d := r.obj(t)["detail"].(string); !strings.Contains(d, "'timeout'") || !strings.Contains(d, `"1.5"`) {
			t.Fatalf("fraction: %s", d)
		}
	})
}
