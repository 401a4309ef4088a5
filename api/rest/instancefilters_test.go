package rest_test

import (
	"net/http"
	"reflect"
	"sort"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// instanceKeysBy searches process instances and returns their keys in the
// answer's order.
func instanceKeysBy(t *testing.T, c *client, body map[string]any) []string {
	t.Helper()
	r := want(t, c.post("/v2/process-instances/search", body), http.StatusOK).obj(t)
	var keys []string
	for _, it := range r["items"].([]any) {
		keys = append(keys, str(it.(map[string]any), "processInstanceKey"))
	}
	return keys
}

// Camunda 8.8's processDefinitionName, processDefinitionVersionTag and
// hasRetriesLeft on process instance searches, and isTruncated on variable
// searches.
func TestInstanceFiltersOfDefinitionsAndJobs(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("tagged.bpmn", "payment.bpmn"), http.StatusOK)
		tagged := createProcess(t, c, "tagged", map[string]any{"n": 1})
		failing := createProcess(t, c, "tagged", map[string]any{"n": 2})
		payment := createProcess(t, c, "payment", map[string]any{"orderId": "o-1"})

		// Fail one job with retries left (it waits out its back-off).
		var job string
		eventually(t, "the jobs of "+failing, func() bool {
			r := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"processInstanceKey": failing}}), http.StatusOK).obj(t)
			if items := r["items"].([]any); len(items) == 1 {
				job = str(items[0].(map[string]any), "jobKey")
				return true
			}
			return false
		})
		want(t, c.post("/v2/jobs/activation", map[string]any{"type": "tagged-work", "maxJobsToActivate": 10, "timeout": 60000, "requestTimeout": -1}), http.StatusOK)
		want(t, c.post("/v2/jobs/"+job+"/failure", map[string]any{"retries": 2, "retryBackOff": 3_600_000, "errorMessage": "try again"}), http.StatusNoContent)

		sorted := func(keys ...string) []string { sort.Strings(keys); return keys }
		for name, tc := range map[string]struct {
			filter map[string]any
			want   []string
		}{
			"definition name":                 {map[string]any{"processDefinitionName": "Tagged work"}, sorted(tagged, failing)},
			"definition name, like":           {map[string]any{"processDefinitionName": map[string]any{"$like": "Pay*"}}, []string{payment}},
			"version tag":                     {map[string]any{"processDefinitionVersionTag": "release-1"}, sorted(tagged, failing)},
			"no version tag":                  {map[string]any{"processDefinitionVersionTag": map[string]any{"$exists": false}}, []string{payment}},
			"failed job with retries left":    {map[string]any{"hasRetriesLeft": true}, []string{failing}},
			"none":                            {map[string]any{"hasRetriesLeft": false}, sorted(tagged, payment)},
			"in $or":                          {map[string]any{"$or": []any{map[string]any{"hasRetriesLeft": true}, map[string]any{"processDefinitionName": "Payment"}}}, sorted(failing, payment)},
			"name and tag together, none hit": {map[string]any{"processDefinitionName": "Payment", "processDefinitionVersionTag": "release-1"}, nil},
		} {
			got := instanceKeysBy(t, c, map[string]any{"filter": tc.filter, "sort": []any{map[string]any{"field": "processInstanceKey"}}})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
		got := instanceKeysBy(t, c, map[string]any{"sort": []any{map[string]any{"field": "processDefinitionName", "order": "DESC"}, map[string]any{"field": "processInstanceKey"}}})
		if !reflect.DeepEqual(got, append(sorted(tagged, failing), payment)) {
			t.Errorf("sorted by definition name: %v", got)
		}
		want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"hasRetriesLeft": "yes"}}), http.StatusBadRequest)
		want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"incidentErrorHashCode": 5}}), http.StatusBadRequest)

		// Values are never truncated.
		vars := func(filter map[string]any) int {
			r := want(t, c.post("/v2/variables/search", map[string]any{"filter": filter}), http.StatusOK).obj(t)
			return len(r["items"].([]any))
		}
		all := vars(map[string]any{"processInstanceKey": tagged})
		if all == 0 || vars(map[string]any{"processInstanceKey": tagged, "isTruncated": false}) != all ||
			vars(map[string]any{"processInstanceKey": tagged, "isTruncated": true}) != 0 ||
			vars(map[string]any{"isTruncated": map[string]any{"$neq": true}, "processInstanceKey": tagged}) != all {
			t.Errorf("isTruncated filters")
		}
		want(t, c.post("/v2/variables/search", map[string]any{"filter": map[string]any{"isTruncated": "no"}}), http.StatusBadRequest)
	})
}
