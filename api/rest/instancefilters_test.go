package rest_test

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store"
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

		// An incident: the hash of its error message (Java's String.hashCode,
		// as Camunda's exporter computes it) finds its instance.
		jobs := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"processInstanceKey": tagged}}), http.StatusOK).obj(t)["items"].([]any)
		if len(jobs) != 1 {
			t.Fatalf("the job of %s: %v", tagged, jobs)
		}
		want(t, c.post("/v2/jobs/"+str(jobs[0].(map[string]any), "jobKey")+"/failure", map[string]any{"retries": 0, "errorMessage": "hello"}), http.StatusNoContent)
		var message string
		eventually(t, "the incident of "+tagged, func() bool {
			r := want(t, c.post("/v2/incidents/search", map[string]any{"filter": map[string]any{"processInstanceKey": tagged}}), http.StatusOK).obj(t)
			if items := r["items"].([]any); len(items) == 1 {
				message = str(items[0].(map[string]any), "errorMessage")
				return true
			}
			return false
		})
		hash := store.JavaHash(message)
		if message == "hello" && hash != 99162322 {
			t.Fatalf("hash of %q: %d", message, hash)
		}
		for name, tc := range map[string]struct {
			filter map[string]any
			want   []string
		}{
			"the hash":                   {map[string]any{"incidentErrorHashCode": hash}, []string{tagged}},
			"the hash as a string":       {map[string]any{"incidentErrorHashCode": fmt.Sprint(hash)}, []string{tagged}},
			"the hash among others":      {map[string]any{"incidentErrorHashCode": map[string]any{"$in": []any{1, hash}}}, []string{tagged}},
			"another hash":               {map[string]any{"incidentErrorHashCode": hash + 1}, nil},
			"with the error message":     {map[string]any{"incidentErrorHashCode": hash, "errorMessage": message}, []string{tagged}},
			"with another error message": {map[string]any{"incidentErrorHashCode": hash, "errorMessage": "other"}, nil},
		} {
			got := instanceKeysBy(t, c, map[string]any{"filter": tc.filter, "sort": []any{map[string]any{"field": "processInstanceKey"}}})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
		want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"incidentErrorHashCode": "x"}}), http.StatusBadRequest)

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

// Camunda 8.8's process instance tags: given at creation, answered with
// the instance, and a search filter (every tag named must be there).
func TestInstanceTags(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("payment.bpmn"), http.StatusOK)
		create := func(tags []string) string {
			body := map[string]any{"processDefinitionId": "payment", "variables": map[string]any{"orderId": "o"}}
			if tags != nil {
				body["tags"] = tags
			}
			r := want(t, c.post("/v2/process-instances", body), http.StatusOK).obj(t)
			return str(r, "processInstanceKey")
		}
		vip := create([]string{"vip", "region:eu", "vip"})
		eu := create([]string{"region:eu"})
		plain := create(nil)

		got := want(t, c.get("/v2/process-instances/"+vip), http.StatusOK).obj(t)
		if !reflect.DeepEqual(got["tags"], []any{"vip", "region:eu"}) {
			t.Fatalf("tags of the tagged instance: %v", got["tags"])
		}
		if got := want(t, c.get("/v2/process-instances/"+plain), http.StatusOK).obj(t); got["tags"] != nil {
			t.Fatalf("an untagged instance has tags: %v", got["tags"])
		}
		sorted := func(keys ...string) []string { sort.Strings(keys); return keys }
		for name, tc := range map[string]struct {
			filter map[string]any
			want   []string
		}{
			"one tag":           {map[string]any{"tags": []string{"region:eu"}}, sorted(vip, eu)},
			"every tag named":   {map[string]any{"tags": []string{"region:eu", "vip"}}, []string{vip}},
			"a tag nobody has":  {map[string]any{"tags": []string{"vip", "nope"}}, nil},
			"no tags named":     {map[string]any{"tags": []string{}}, sorted(vip, eu, plain)},
			"in $or":            {map[string]any{"$or": []any{map[string]any{"tags": []string{"vip"}}, map[string]any{"processInstanceKey": plain}}}, sorted(vip, plain)},
			"with another term": {map[string]any{"tags": []string{"region:eu"}, "processInstanceKey": eu}, []string{eu}},
		} {
			r := want(t, c.post("/v2/process-instances/search", map[string]any{"filter": tc.filter, "sort": []any{map[string]any{"field": "processInstanceKey"}}}), http.StatusOK).obj(t)
			var keys []string
			for _, it := range r["items"].([]any) {
				keys = append(keys, str(it.(map[string]any), "processInstanceKey"))
			}
			if !reflect.DeepEqual(keys, tc.want) {
				t.Errorf("%s: %v, want %v", name, keys, tc.want)
			}
		}
		for name, tags := range map[string]any{
			"a tag starting with a digit": []string{"1st"},
			"a space":                     []string{"a b"},
			"an empty tag":                []string{""},
			"eleven tags":                 []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
			"not strings":                 []int{1},
		} {
			if r := c.post("/v2/process-instances", map[string]any{"processDefinitionId": "payment", "tags": tags}); r.status != http.StatusBadRequest {
				t.Errorf("create with %s: %d %s", name, r.status, r.body)
			}
		}
		want(t, c.post("/v2/process-instances/search", map[string]any{"filter": map[string]any{"tags": "vip"}}), http.StatusBadRequest)
	})
}
