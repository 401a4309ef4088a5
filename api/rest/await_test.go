package rest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// noVariableReads is the store's querier, counting variable searches: an
// awaited creation must not make any.
type noVariableReads struct {
	rest.Querier
	reads atomic.Int64
}

func (q *noVariableReads) SearchVariables(ctx context.Context, query store.Query) (store.Page[store.Variable], error) {
	q.reads.Add(1)
	return q.Querier.SearchVariables(ctx, query)
}

// winningWorker is the engine with a worker that wins every race: it
// completes the job of each instance it creates before the create's
// answer leaves the engine client, before the API can begin to wait.
type winningWorker struct {
	*engine.Engine
	t *testing.T
}

func (w winningWorker) CreateInstance(ctx context.Context, req engine.CreateInstanceRequest) (*engine.CreatedInstance, error) {
	ci, err := w.Engine.CreateInstance(ctx, req)
	if err != nil || ci.End != nil {
		return ci, err
	}
	jobs, err := w.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "charge-card", Worker: "winner", Timeout: time.Minute, MaxJobs: 1,
		TenantIDs: []string{record.DefaultTenant}})
	if err != nil || len(jobs) != 1 {
		w.t.Errorf("activate the job of instance %d: %v, %d jobs", ci.ProcessInstanceKey, err, len(jobs))
		return ci, nil
	}
	if err := w.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key, Variables: map[string]any{"paid": true}}); err != nil {
		w.t.Errorf("complete job %d: %v", jobs[0].Key, err)
	}
	return ci, nil
}

// TestAwaitCompletionReadsNoStore creates instances with awaitCompletion
// whose jobs a worker completes before the API begins to wait (the race a
// fast worker wins) and instances that end within their creation: every
// answer carries the final variables, and none reads the store.
func TestAwaitCompletionReadsNoStore(t *testing.T) {
	s := memstore.New(memstore.Options{})
	eng, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	q := &noVariableReads{Querier: s}
	srv, err := rest.New(rest.Config{}, winningWorker{Engine: eng, t: t}, q, telemetry.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Drain()
		hs.Close()
		_ = eng.Close()
		_ = s.Close()
	})
	c := &client{t: t, base: hs.URL, http: &http.Client{Timeout: 20 * time.Second}, srv: srv}
	want(t, c.deploy("order.bpmn", "noop.bpmn"), http.StatusOK)

	for i := range 5 {
		r := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "order", "variables": map[string]any{"amount": i},
			"awaitCompletion": true, "requestTimeout": 10000}), http.StatusOK)
		vars, _ := r.obj(t)["variables"].(map[string]any)
		if len(vars) != 2 || vars["paid"] != true || vars["amount"] != float64(i) {
			t.Fatalf("awaited variables: %s", r.body)
		}
	}
	instant := want(t, c.post("/v2/process-instances", map[string]any{"processDefinitionId": "noop", "variables": map[string]any{"n": 1},
		"awaitCompletion": true}), http.StatusOK)
	if got := string(instant.body); !strings.Contains(got, `"variables":{"n":1}`) {
		t.Fatalf("await an instance that ended within its creation: %s", got)
	}
	if reads := q.reads.Load(); reads != 0 {
		t.Fatalf("awaited creations searched the store's variables %d times, want none", reads)
	}
}
