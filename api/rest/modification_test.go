package rest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// activateOne activates one job of a type and returns it.
func activateOne(t *testing.T, c *client, jobType string) map[string]any {
	t.Helper()
	r := want(t, c.post("/v2/jobs/activation", map[string]any{"type": jobType, "worker": "test", "timeout": 60000,
		"maxJobsToActivate": 1, "requestTimeout": -1}), http.StatusOK).obj(t)
	jobs := r["jobs"].([]any)
	if len(jobs) != 1 {
		t.Fatalf("activate %s: %s", jobType, r)
	}
	return jobs[0].(map[string]any)
}

// wantDetail fails unless the answer has the status and its detail
// contains every fragment.
func wantDetail(t *testing.T, r *response, status int, fragments ...string) {
	t.Helper()
	want(t, r, status)
	d := str(r.obj(t), "detail")
	for _, f := range fragments {
		if !strings.Contains(d, f) {
			t.Fatalf("detail %q does not contain %q", d, f)
		}
	}
}

func TestProcessInstanceModification(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("modify.bpmn"), http.StatusOK)
		pi := createProcess(t, c, "modify", nil)
		path := "/v2/process-instances/" + pi + "/modification"
		a := str(activateOne(t, c, "a"), "elementInstanceKey")

		// Move the token from a to c, with a variable for the process
		// instance; keys and the operation reference as strings.
		want(t, c.post(path, map[string]any{
			"operationReference": "7",
			"activateInstructions": []any{map[string]any{"elementId": "c", "ancestorElementInstanceKey": "-1",
				"variableInstructions": []any{map[string]any{"variables": map[string]any{"x": "moved"}}}}},
			"terminateInstructions": []any{map[string]any{"elementInstanceKey": a}},
		}), http.StatusNoContent)
		job := activateOne(t, c, "c")
		if vars, _ := job["variables"].(map[string]any); vars["x"] != "moved" || vars["localX"] != "moved" {
			t.Fatalf("job of c: %v", job)
		}
		want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", map[string]any{}), http.StatusNoContent)
		waitState(t, c, pi, "COMPLETED")

		// Refused instructions name the element; nothing is changed.
		pi = createProcess(t, c, "modify", nil)
		path = "/v2/process-instances/" + pi + "/modification"
		a = str(activateOne(t, c, "a"), "elementInstanceKey")
		activateC := map[string]any{"elementId": "c"}
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{activateC, map[string]any{"elementId": "nowhere"}}}),
			http.StatusBadRequest, "'nowhere'", "no such element")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{map[string]any{"elementId": "start"}}}),
			http.StatusBadRequest, "'start'", "start event")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{map[string]any{"elementId": "a-late"}}}),
			http.StatusBadRequest, "'a-late'", "boundary event")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{map[string]any{"elementId": "to-fork"}}}),
			http.StatusBadRequest, "'to-fork'", "sequence flow")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{map[string]any{"elementId": "c", "ancestorElementInstanceKey": "123"}}}),
			http.StatusNotFound, "'c'", "'123'")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{map[string]any{"elementId": "c", "ancestorElementInstanceKey": a}}}),
			http.StatusBadRequest, "'c'", "does not contain it")
		wantDetail(t, c.post(path, map[string]any{"terminateInstructions": []any{map[string]any{"elementInstanceKey": "999"}}}),
			http.StatusNotFound, "'999'")
		wantDetail(t, c.post(path, map[string]any{"terminateInstructions": []any{map[string]any{"elementInstanceKey": pi}}}),
			http.StatusBadRequest, "process instance itself")
		wantDetail(t, c.post("/v2/process-instances/999/modification", map[string]any{"activateInstructions": []any{activateC}}),
			http.StatusNotFound, "'999'")
		// Malformed requests.
		for _, body := range []string{
			`{"activateInstructions":[{}]}`,
			`{"activateInstructions":[{"elementId":"c","variableInstructions":[{"variables":[1]}]}]}`,
			`{"activateInstructions":[{"elementId":"c","ancestorElementInstanceKey":"x1"}]}`,
			`{"terminateInstructions":[{"elementInstanceKey":"abc"}]}`,
			`{"terminateInstructions":[{}]}`,
			`{"moveInstructions":[]}`,
			`[]`,
		} {
			want(t, c.post(path, body), http.StatusBadRequest)
		}
		want(t, c.post("/v2/process-instances/x1/modification", map[string]any{}), http.StatusBadRequest)
		// Nothing changed: a still runs.
		r := want(t, c.post("/v2/element-instances/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi, "state": "ACTIVE"}}), http.StatusOK).obj(t)
		if items := r["items"].([]any); len(items) != 2 {
			t.Fatalf("active element instances after refused modifications: %v", r)
		}

		// Terminating every element ends the instance: it is terminated.
		want(t, c.post(path, map[string]any{"terminateInstructions": []any{map[string]any{"elementInstanceKey": a}}}), http.StatusNoContent)
		waitState(t, c, pi, "TERMINATED")
		wantDetail(t, c.post(path, map[string]any{"activateInstructions": []any{activateC}}), http.StatusNotFound, pi)
	})
}
