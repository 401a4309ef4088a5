package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// stepped starts a stepped engine on st with W1 deployed.
func stepped(t *testing.T, st *lossyStore) *engine.Stepper {
	t.Helper()
	e, s, err := engine.StartStepped(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Store: st, Registry: standard.Registry(), Backpressure: engine.Backpressure{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	answer(t, s, s.Submit(context.Background(), &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: []byte(w1XML)}}}}))
	return s
}

// answer steps s once and returns c's answer, which must be a success.
func answer(t *testing.T, s *engine.Stepper, c *engine.Call) *engine.Result {
	t.Helper()
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	if !c.Answered() {
		t.Fatal("not answered by its step")
	}
	res, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func createW1(vars map[string]any) *record.Record {
	return &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
		Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1", Variables: vars}}
}

func activateWork() *record.Record {
	return &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: "work", Worker: "w", Timeout: time.Minute.Milliseconds(), MaxJobsToActivate: 1}}
}

// TestStepperClients: a long poll registered with WaitForJobs is woken by
// the batch that creates a job of its type; a read is answered after its
// batch commits, with the state after that batch; an awaited create gets
// its instance's end once the batch that ended it committed, with the
// final variables.
func TestStepperClients(t *testing.T) {
	ctx := context.Background()
	s := stepped(t, &lossyStore{Store: memstore.New(memstore.Options{})})
	wake, cancel := s.WaitForJobs("work")
	defer cancel()
	create := s.SubmitAwaiting(ctx, createW1(map[string]any{"x": 1.0}))
	var seen int64
	read := s.SubmitRead(ctx, func(st *state.State) { seen = st.LastPosition() })
	answer(t, s, create)
	if !create.Awaiting() {
		t.Fatal("the create's end is not watched")
	}
	select {
	case <-wake:
	default:
		t.Fatal("the long poll was not woken by the batch that created its job")
	}
	if !read.Answered() {
		t.Fatal("the read was not answered with its batch")
	}
	if _, err := read.Result(); err != nil || seen != s.State().LastPosition() {
		t.Fatalf("the read saw position %d (%v), the state is at %d", seen, err, s.State().LastPosition())
	}
	jobs, _ := answer(t, s, s.Submit(ctx, activateWork())).Response.([]engine.ActivatedJob)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs", len(jobs))
	}
	if _, ok := create.Ended(); ok {
		t.Fatal("an end was delivered while the instance runs")
	}
	answer(t, s, s.Submit(ctx, &record.Record{Key: jobs[0].Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
		Value: &record.JobValue{Variables: map[string]any{"y": 2.0}}}))
	end, ok := create.Ended()
	if !ok || !end.Completed || end.Variables["x"] != 1.0 || end.Variables["y"] != 2.0 {
		t.Fatalf("end %+v, %v; want completed with x=1 and y=2", end, ok)
	}
	if _, ok := create.Ended(); ok {
		t.Fatal("the end was delivered twice")
	}
}

// TestAwaitedEndInABatchOfUnknownOutcome: the batch that ends an awaited
// instance loses its commit answer and the store cannot be asked whether
// it was written (its callers get ErrOutcomeUnknown); once the reload
// shows it was written, the awaiting client gets the end instead of
// waiting until its own timeout. Found by the simulator
// (conformance/sim testdata/regressions/await-end-of-unknown-batch.txt).
func TestAwaitedEndInABatchOfUnknownOutcome(t *testing.T) {
	ctx := context.Background()
	st := &lossyStore{Store: memstore.New(memstore.Options{})}
	s := stepped(t, st)
	create := s.SubmitAwaiting(ctx, createW1(map[string]any{"x": 1.0}))
	answer(t, s, create)
	jobs, _ := answer(t, s, s.Submit(ctx, activateWork())).Response.([]engine.ActivatedJob)
	if len(jobs) != 1 {
		t.Fatalf("activated %d jobs", len(jobs))
	}
	st.write.Store(true)
	st.readsFail.Store(true)
	st.lose.Store(true)
	complete := s.Submit(ctx, &record.Record{Key: jobs[0].Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
		Value: &record.JobValue{Variables: map[string]any{"y": 2.0}}})
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	if !complete.Answered() {
		t.Fatal("the completion was not answered")
	}
	if _, err := complete.Result(); !errors.Is(err, engine.ErrOutcomeUnknown) {
		t.Fatalf("completion: got %v, want ErrOutcomeUnknown", err)
	}
	if _, ok := create.Ended(); ok {
		t.Fatal("the end was delivered before anybody knew it was written")
	}
	st.readsFail.Store(false)
	if err := s.Step(); err != nil { // reloads from the store
		t.Fatal(err)
	}
	end, ok := create.Ended()
	if !ok || !end.Completed || end.Variables["y"] != 2.0 {
		t.Fatalf("after the reload: end %+v, %v; want the completed end with y=2", end, ok)
	}
}
