package rest_test

import (
	"net/http"
	"testing"

	"github.com/example/wf-engine/api/rest"
)

// adHocKey waits for the active instance of the ad-hoc subprocess id in
// process instance pi and returns its key.
func adHocKey(t *testing.T, c *client, pi, id string, header ...string) string {
	t.Helper()
	var key string
	eventually(t, "ad-hoc subprocess "+id+" to be active", func() bool {
		r := want(t, c.post("/v2/element-instances/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi,
			"elementId": id, "state": "ACTIVE"}}, header...), http.StatusOK).obj(t)
		items := r["items"].([]any)
		if len(items) == 1 {
			key = str(items[0].(map[string]any), "elementInstanceKey")
		}
		return key != ""
	})
	return key
}

// TestActivateAdHocSubProcessActivities: activations start inner elements
// with local variables (204); a key that is no active ad-hoc subprocess
// instance is a 404, an element that cannot be activated a 400 naming it.
func TestActivateAdHocSubProcessActivities(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		want(t, c.deploy("adhoc.bpmn"), http.StatusOK)
		pi := createProcess(t, c, "collection", map[string]any{"toActivate": []any{}})
		key := adHocKey(t, c, pi, "c-adhoc")
		path := "/v2/element-instances/ad-hoc-activities/" + key + "/activation"

		want(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-b", "variables": map[string]any{"x": "local"}}},
			"cancelRemainingInstances": false}), http.StatusNoContent)
		job := activateOne(t, c, "b")
		if vars, _ := job["variables"].(map[string]any); vars["x"] != "local" {
			t.Fatalf("job of c-b: %v", job)
		}

		wantDetail(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-a-next"}}}),
			http.StatusBadRequest, "'c-a-next'", "incoming sequence flows")
		wantDetail(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}, map[string]any{"elementId": "nowhere"}}}),
			http.StatusBadRequest, "'nowhere'", "no element of it")
		want(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}}, "cancelRemainingInstances": true}),
			http.StatusBadRequest)
		want(t, c.post(path, map[string]any{}), http.StatusBadRequest)
		want(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-b", "extra": 1}}}), http.StatusBadRequest)
		wantDetail(t, c.post("/v2/element-instances/ad-hoc-activities/"+str(job, "elementInstanceKey")+"/activation",
			map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}}}), http.StatusNotFound, str(job, "elementInstanceKey"))
		wantDetail(t, c.post("/v2/element-instances/ad-hoc-activities/999/activation",
			map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}}}), http.StatusNotFound, "'999'")

		// The refused activations activated nothing: completing c-b's
		// only job completes the subprocess and the instance.
		want(t, c.post("/v2/jobs/"+str(job, "jobKey")+"/completion", map[string]any{}), http.StatusNoContent)
		waitState(t, c, pi, "COMPLETED")
		wantDetail(t, c.post(path, map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}}}), http.StatusNotFound, key)
	})
}

// TestActivateAdHocSubProcessActivitiesTenants: another tenant's ad-hoc
// subprocess instance is a 404.
func TestActivateAdHocSubProcessActivitiesTenants(t *testing.T) {
	forEachStore(t, rest.Config{Authenticator: fakeAuth{}, AuthMode: "oidc", Multitenancy: true}, func(t *testing.T, c *client) {
		admin := as("admin", "<default>,acme")
		want(t, deployTo(t, c, "adhoc.bpmn", "acme", admin), http.StatusOK)
		r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "collection", "tenantId": "acme",
			"variables": map[string]any{"toActivate": []any{}}}, admin...), http.StatusOK).obj(t)
		key := adHocKey(t, c, str(r, "processInstanceKey"), "c-adhoc", admin...)
		path := "/v2/element-instances/ad-hoc-activities/" + key + "/activation"
		body := map[string]any{"elements": []any{map[string]any{"elementId": "c-b"}}}
		want(t, c.post(path, body, as("operator", "<default>")...), http.StatusNotFound)
		want(t, c.post(path, body, as("operator", "acme")...), http.StatusNoContent)
	})
}
