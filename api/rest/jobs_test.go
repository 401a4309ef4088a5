package rest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestJobs(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		// A long poll is answered as soon as a job appears.
		polled := make(chan *response, 1)
		go func() {
			polled <- c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "worker": "w", "timeout": 60000,
				"maxJobsToActivate": 1, "requestTimeout": 10000, "fetchVariable": []string{"amount"}})
		}()
		pi := create(t, c, map[string]any{"amount": 7, "other": "x"})
		jobs := want(t, <-polled, http.StatusOK).obj(t)["jobs"].([]any)
		if len(jobs) != 1 {
			t.Fatalf("long poll: %v", jobs)
		}
		job := jobs[0].(map[string]any)
		vars := job["variables"].(map[string]any)
		if str(job, "processInstanceKey") != pi || len(vars) != 1 || vars["amount"] != float64(7) || job["customHeaders"].(map[string]any)["currency"] != "EUR" ||
			str(job, "kind") != "BPMN_ELEMENT" || job["retries"] != float64(3) || job["deadline"].(float64) < float64(time.Now().UnixMilli()) {
			t.Fatalf("activated job: %v", job)
		}
		key := str(job, "jobKey")
		// Nothing else to activate: an empty answer, at once or after the wait.
		if got := activate(t, c, 5); len(got) != 0 {
			t.Fatalf("activated twice: %v", got)
		}
		short := want(t, c.post("/v2/jobs/activation", map[string]any{"type": "charge-card", "timeout": 1000, "maxJobsToActivate": 1, "requestTimeout": 20}), http.StatusOK)
		if len(short.obj(t)["jobs"].([]any)) != 0 {
			t.Fatalf("short poll: %s", short.body)
		}
		want(t, c.post("/v2/jobs/"+key+"/completion", map[string]any{"variables": map[string]any{"paid": true}}), http.StatusNoContent)
		want(t, c.post("/v2/jobs/"+key+"/completion", nil), http.StatusNotFound)
		eventually(t, "the instance to complete", func() bool {
			return str(c.get("/v2/process-instances/"+pi).obj(t), "state") == "COMPLETED"
		})

		// Failing with retries left makes the job activatable again after the back-off.
		create(t, c, nil)
		j := activate(t, c, 1)[0]
		want(t, c.post("/v2/jobs/"+str(j, "jobKey")+"/failure", map[string]any{"retries": 2, "errorMessage": "card declined", "retryBackOff": 10}), http.StatusNoContent)
		var again []map[string]any
		eventually(t, "the failed job to come back", func() bool { again = activate(t, c, 1); return len(again) == 1 })
		if again[0]["retries"] != float64(2) {
			t.Fatalf("retried job: %v", again[0])
		}
		search := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"jobKey": str(j, "jobKey")}}), http.StatusOK).obj(t)
		if items := search["items"].([]any); len(items) != 1 || str(items[0].(map[string]any), "type") != "charge-card" {
			t.Fatalf("job search: %v", search)
		}
		want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"state": "SLEEPING"}}), http.StatusBadRequest)

		// PATCH updates retries and the timeout of an activated job, alone or together.
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"retries": 5}}), http.StatusNoContent)
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"timeout": 3_600_000}}), http.StatusNoContent)
		deadline := func() time.Time {
			r := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"jobKey": str(j, "jobKey")}}), http.StatusOK).obj(t)
			d, err := time.Parse(time.RFC3339, str(r["items"].([]any)[0].(map[string]any), "deadline"))
			if err != nil {
				t.Fatalf("job deadline: %v", r)
			}
			return d
		}
		if d := deadline(); d.Before(time.Now().Add(59 * time.Minute)) {
			t.Fatalf("deadline after a one-hour timeout: %s", d)
		}
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"retries": 4, "timeout": 120_000}}), http.StatusNoContent)
		if d := deadline(); d.After(time.Now().Add(3 * time.Minute)) {
			t.Fatalf("deadline after a two-minute timeout: %s", d)
		}
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{}}), http.StatusBadRequest)
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"retries": 0}}), http.StatusBadRequest)
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"timeout": 0}}), http.StatusBadRequest)
		// A job that is not activated has no deadline to move; its retries stay.
		idle := create(t, c, nil)
		var idleJob string
		eventually(t, "the idle instance's job", func() bool {
			r := c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"processInstanceKey": idle}}).obj(t)
			if items := r["items"].([]any); len(items) == 1 {
				idleJob = str(items[0].(map[string]any), "jobKey")
			}
			return idleJob != ""
		})
		refused := want(t, c.send(http.MethodPatch, "/v2/jobs/"+idleJob, map[string]any{"changeset": map[string]any{"retries": 9, "timeout": 1000}}), http.StatusConflict)
		if title(t, refused) != "INVALID_STATE" {
			t.Fatalf("timeout of a job that is not activated: %s", refused.body)
		}
		r := want(t, c.post("/v2/jobs/search", map[string]any{"filter": map[string]any{"jobKey": idleJob}}), http.StatusOK).obj(t)
		if n := r["items"].([]any)[0].(map[string]any)["retries"]; n != float64(3) {
			t.Fatalf("a refused update changed the retries to %v", n)
		}
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+str(j, "jobKey"), map[string]any{"changeset": map[string]any{"retries": 1}, "extra": 1}), http.StatusBadRequest)
		want(t, c.send(http.MethodPatch, "/v2/jobs/999", map[string]any{"changeset": map[string]any{"retries": 1}}), http.StatusNotFound)

		// Bad activation requests.
		for name, body := range map[string]any{
			"no type":       map[string]any{"timeout": 1000, "maxJobsToActivate": 1},
			"zero jobs":     map[string]any{"type": "x", "timeout": 1000, "maxJobsToActivate": 0},
			"no timeout":    map[string]any{"type": "x", "maxJobsToActivate": 1},
			"string jobs":   map[string]any{"type": "x", "timeout": 1000, "maxJobsToActivate": "many"},
			"other tenants": map[string]any{"type": "x", "timeout": 1000, "maxJobsToActivate": 1, "tenantIds": []string{"acme"}},
		} {
			if r := c.post("/v2/jobs/activation", body); r.status != http.StatusBadRequest {
				t.Fatalf("%s: %d %s", name, r.status, r.body)
			}
		}
		want(t, c.post("/v2/jobs/999/failure", map[string]any{"retries": 1}), http.StatusNotFound)
		want(t, c.post("/v2/jobs/999/error", map[string]any{"errorCode": "X"}), http.StatusNotFound)
		want(t, c.post("/v2/jobs/999/error", map[string]any{}), http.StatusBadRequest)
		want(t, c.post("/v2/jobs/abc/completion", nil), http.StatusBadRequest)
		want(t, c.post("/v2/jobs/"+str(j, "jobKey")+"/failure", map[string]any{"retryBackOff": -1}), http.StatusBadRequest)
	})
}

func TestIncidents(t *testing.T) {
	forEachStore(t, rest.Config{}, func(t *testing.T, c *client) {
		setup(t, c)
		pi := create(t, c, nil)
		j := activate(t, c, 1)[0]
		jobKey := str(j, "jobKey")
		want(t, c.post("/v2/jobs/"+jobKey+"/failure", map[string]any{"retries": 0, "errorMessage": "card declined"}), http.StatusNoContent)
		want(t, c.post("/v2/jobs/"+jobKey+"/completion", nil), http.StatusConflict)

		found := want(t, c.post("/v2/incidents/search", map[string]any{"filter": map[string]any{"processInstanceKey": pi, "state": "ACTIVE"}}), http.StatusOK).obj(t)
		items := found["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("incidents: %v", found)
		}
		inc := items[0].(map[string]any)
		if str(inc, "errorType") != "JOB_NO_RETRIES" || str(inc, "errorMessage") != "card declined" || str(inc, "jobKey") != jobKey {
			t.Fatalf("incident: %v", inc)
		}
		key := str(inc, "incidentKey")
		got := want(t, c.get("/v2/incidents/"+key), http.StatusOK).obj(t)
		if str(got, "incidentKey") != key || str(got, "state") != "ACTIVE" {
			t.Fatalf("get incident: %v", got)
		}
		if !want(t, c.get("/v2/process-instances/"+pi), http.StatusOK).obj(t)["hasIncident"].(bool) {
			t.Fatal("instance does not show its incident")
		}
		per := want(t, c.post("/v2/process-instances/"+pi+"/incidents/search", map[string]any{}), http.StatusOK).obj(t)
		if len(per["items"].([]any)) != 1 {
			t.Fatalf("instance incidents: %v", per)
		}
		want(t, c.post("/v2/process-instances/999/incidents/search", nil), http.StatusNotFound)
		want(t, c.post("/v2/process-instances/"+pi+"/incidents/search", map[string]any{"filter": map[string]any{}}), http.StatusBadRequest)

		// The job has no retries: resolving first is a conflict.
		r := want(t, c.post("/v2/incidents/"+key+"/resolution", nil), http.StatusConflict)
		if title(t, r) != "INVALID_STATE" {
			t.Fatalf("resolve without retries: %s", r.body)
		}
		want(t, c.send(http.MethodPatch, "/v2/jobs/"+jobKey, map[string]any{"changeset": map[string]any{"retries": 1}}), http.StatusNoContent)
		want(t, c.post("/v2/incidents/"+key+"/resolution", map[string]any{}), http.StatusNoContent)
		want(t, c.post("/v2/incidents/"+key+"/resolution", nil), http.StatusNotFound)
		if s := str(c.get("/v2/incidents/"+key).obj(t), "state"); s != "RESOLVED" {
			t.Fatalf("resolved incident state %q", s)
		}
		want(t, c.get("/v2/incidents/999"), http.StatusNotFound)

		// An uncaught BPMN error becomes an incident too.
		var back []map[string]any
		eventually(t, "the job to be activatable again", func() bool { back = activate(t, c, 1); return len(back) == 1 })
		want(t, c.post("/v2/jobs/"+str(back[0], "jobKey")+"/error", map[string]any{"errorCode": "NO_FUNDS", "errorMessage": "empty"}), http.StatusNoContent)
		thrown := want(t, c.post("/v2/incidents/search", map[string]any{"filter": map[string]any{"errorType": "UNHANDLED_ERROR_EVENT"}}), http.StatusOK).obj(t)
		if len(thrown["items"].([]any)) != 1 {
			t.Fatalf("error incident: %v", thrown)
		}
		want(t, c.post("/v2/incidents/search", map[string]any{"filter": map[string]any{"errorType": "OOPS"}}), http.StatusBadRequest)
	})
}

func TestDrainEndsLongPolls(t *testing.T) {
	c := start(t, memstore.New(memstore.Options{}), rest.Config{})
	polled := make(chan *response, 1)
	go func() {
		polled <- c.post("/v2/jobs/activation", map[string]any{"type": "nobody-works-here", "timeout": 1000, "maxJobsToActivate": 1, "requestTimeout": 60000})
	}()
	// Drain ends the poll whether it is waiting already or starts after it.
	c.srv.Drain()
	select {
	case r := <-polled:
		if jobs := want(t, r, http.StatusOK).obj(t)["jobs"].([]any); len(jobs) != 0 {
			t.Fatalf("jobs after drain: %v", jobs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a long poll outlived Drain")
	}
}
