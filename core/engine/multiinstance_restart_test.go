package engine_test

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
)

// A multi-instance body and its inner instances survive a restart: the
// state rebuilt from the store tells the body and its inner instances
// apart (same element id), and the output collection ends in input order.
func TestMultiInstanceSurvivesRestart(t *testing.T) {
	xml, err := os.ReadFile("testdata/mi100.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	e := start(t, st, mc)
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "mi.bpmn", Content: xml}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "mi", Variables: map[string]any{"items": []any{"a", "b", "c"}}}); err != nil {
		t.Fatal(err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "mi-work", Worker: "t", Timeout: time.Hour, MaxJobs: 10})
	if err != nil || len(jobs) != 3 {
		t.Fatalf("activated %d jobs (%v), want 3", len(jobs), err)
	}
	// The second item's job completes before the restart, the others after.
	if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[1].Key, Variables: map[string]any{"result": "B"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, st, mc)
	for _, c := range []struct {
		job    int
		result string
	}{{2, "C"}, {0, "A"}} {
		if err := again.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[c.job].Key, Variables: map[string]any{"result": c.result}}); err != nil {
			t.Fatalf("complete job %d after the restart: %v", c.job, err)
		}
	}
	var final any
	var bodyCompleted int
	if err := st.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.Kind != record.KindEvent {
			return nil
		}
		if v, ok := r.Value.(*record.VariableValue); ok && r.Intent == record.IntentVariableCreated && v.Name == "results" && v.ScopeKey == v.ProcessInstanceKey {
			final = v.Value
		}
		if v, ok := r.Value.(*record.ProcessInstanceValue); ok && r.Intent == record.IntentElementCompleted && v.BPMNElementType == "MULTI_INSTANCE_BODY" {
			bodyCompleted++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []any{"A", "B", "C"}; !reflect.DeepEqual(final, want) || bodyCompleted != 1 {
		t.Fatalf("results in the process scope = %v and the body completed %d times, want %v and once", final, bodyCompleted, want)
	}
}
