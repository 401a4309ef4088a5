package engine_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// waitingPolls returns how many long polls wait for a job, of any type.
func waitingPolls(e *engine.Engine) int {
	n := 0
	for _, c := range e.WaitingPolls() {
		n += c
	}
	return n
}

// waitPolls polls until n long polls wait in the engine (parked, as it runs
// one partition).
func waitPolls(t *testing.T, e *engine.Engine, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); waitingPolls(e) != n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d long polls wait, want %d", waitingPolls(e), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// A long poll that found no job is parked, and the batch that creates a
// job of its type activates it: the job's creation and its activation
// commit together, and the poll is answered with that commit (one commit
// sooner than waking the poll to activate in the next batch). A poll that
// times out or whose caller goes away leaves nothing parked.
func TestParkedLongPollIsActivatedInTheBatchThatCreatesItsJob(t *testing.T) {
	var commits commitLog
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Store: memstore.New(memstore.Options{}), Registry: standard.Registry(), OnCommit: []func(*store.Batch, time.Duration, error){commits.observe}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ctx := context.Background()
	type answer struct {
		jobs []engine.ActivatedJob
		err  error
	}
	polled := make(chan answer, 1)
	go func() {
		jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 4, RequestTimeout: 30 * time.Second})
		polled <- answer{jobs, err}
	}()
	waitPolls(t, e, 1)
	if w := e.WaitingPolls(); len(w) != 1 || w["work"] != 1 {
		t.Fatalf("waiting polls by type: %v, want work: 1", w)
	}
	created, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	a := <-polled
	if a.err != nil || len(a.jobs) != 1 || a.jobs[0].Value.ProcessInstanceKey != created.ProcessInstanceKey {
		t.Fatalf("long poll answered %+v, %v; want the new instance's job", a.jobs, a.err)
	}
	job := a.jobs[0].Key
	commits.mu.Lock()
	var createdIn, activatedIn = -1, -1
	for i, b := range commits.batches {
		for _, r := range b {
			switch {
			case r.Kind == record.KindEvent && r.ValueType == record.TypeJob && r.Key == job && r.Intent == record.IntentJobCreated:
				createdIn = i
			case r.Kind == record.KindEvent && r.Intent == record.IntentJobBatchActivated:
				if v, ok := r.Value.(*record.JobBatchValue); ok && slices.Contains(v.JobKeys, job) {
					activatedIn = i
				}
			}
		}
	}
	commits.mu.Unlock()
	if createdIn < 0 || createdIn != activatedIn {
		t.Fatalf("job %d created in commit %d and activated in commit %d, want the same one", job, createdIn, activatedIn)
	}
	if w := e.WaitingPolls(); len(w) != 0 {
		t.Fatalf("polls still waiting after the answer: %v", w)
	}

	// A poll for a type nobody creates times out empty; one whose caller
	// goes away ends with its context's error. Neither stays parked.
	if jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "none", Worker: "w", Timeout: time.Minute, MaxJobs: 4, RequestTimeout: 20 * time.Millisecond}); err != nil || len(jobs) != 0 {
		t.Fatalf("timed-out poll: %v %v", jobs, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		_, err := e.ActivateJobs(cctx, engine.ActivateJobsRequest{Type: "none", Worker: "w", Timeout: time.Minute, MaxJobs: 4, RequestTimeout: 30 * time.Second})
		polled <- answer{nil, err}
	}()
	waitPolls(t, e, 1)
	cancel()
	if a := <-polled; !errors.Is(a.err, context.Canceled) {
		t.Fatalf("canceled poll: %v", a.err)
	}
	waitPolls(t, e, 0)
}

// A parked long poll is answered with ErrStopped when its engine stops,
// instead of waiting out its request timeout.
func TestParkedLongPollEndsWhenTheEngineStops(t *testing.T) {
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Store: memstore.New(memstore.Options{}), Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	polled := make(chan error, 1)
	go func() {
		_, err := e.ActivateJobs(context.Background(), engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: time.Hour})
		polled <- err
	}()
	waitPolls(t, e, 1)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-polled:
		if !errors.Is(err, engine.ErrStopped) {
			t.Fatalf("parked poll of a stopped engine: %v, want ErrStopped", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the parked poll still waits after its engine stopped")
	}
}

// The Stepper runs parked activations as the loop does: into the batch a
// Step hands over, unless a read closed that batch, when they are
// answered with no job and their callers ask again.
func TestStepperRunsParkedActivations(t *testing.T) {
	s := stepped(t, &lossyStore{Store: memstore.New(memstore.Options{})})
	ctx := context.Background()
	step := func(calls ...*engine.Call) {
		t.Helper()
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if !c.Answered() {
				t.Fatal("a call was not answered by its step")
			}
			if _, err := c.Result(); err != nil {
				t.Fatal(err)
			}
		}
	}
	create := func() *engine.Call {
		return s.Submit(ctx, &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1"}})
	}
	poll := func() *engine.Call {
		c := s.SubmitPoll(ctx, &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
			Value: &record.JobBatchValue{Type: "work", Worker: "w", Timeout: time.Minute.Milliseconds(), MaxJobsToActivate: 1}})
		step(c)
		parked := c.Parked()
		if parked == nil || !s.StillParked(parked) {
			t.Fatal("an activation that found no job was not parked")
		}
		return parked
	}
	jobsOf := func(c *engine.Call) []engine.ActivatedJob {
		res, _ := c.Result()
		jobs, _ := res.Response.([]engine.ActivatedJob)
		return jobs
	}

	// A read closes the batch that creates the job: the parked activation
	// is answered with no job; the job stays activatable.
	parked := poll()
	c := create()
	read := s.SubmitRead(ctx, func(*state.State) {})
	step(c, read, parked)
	if jobs := jobsOf(parked); len(jobs) != 0 {
		t.Fatalf("a parked activation ran into a batch a read closed: %d jobs", len(jobs))
	}
	if s.StillParked(parked) || len(s.State().Activatable("work", nil, 1)) != 1 {
		t.Fatal("the read-closed batch left the activation parked or took the job")
	}

	// Asked again, it is parked no more: the job is there.
	again := s.SubmitPoll(ctx, &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: "work", Worker: "w", Timeout: time.Minute.Milliseconds(), MaxJobsToActivate: 1}})
	step(again)
	if len(jobsOf(again)) != 1 || again.Parked() != nil {
		t.Fatal("the poll asked again did not get the job")
	}

	// Otherwise the Step that creates a job runs the parked activation
	// into its batch; one whose time is up is taken back.
	parked = poll()
	c = create()
	step(c, parked)
	if jobs := jobsOf(parked); len(jobs) != 1 {
		t.Fatalf("the parked activation got %d jobs in the batch creating one, want 1", len(jobs))
	}
	parked = poll()
	if !s.Unpark(parked) || s.StillParked(parked) || s.Unpark(parked) {
		t.Fatal("Unpark did not take the parked activation back exactly once")
	}

	// A parked activation whose caller went away is dropped by the next
	// Step, and answered with its context's error: a caller that ended
	// and found it gone (Unpark false) waits for that answer (CI round
	// 15 hung 29 minutes on the missing one).
	pctx, cancel := context.WithCancel(ctx)
	left := s.SubmitPoll(pctx, &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: "work", Worker: "w", Timeout: time.Minute.Milliseconds(), MaxJobsToActivate: 1}})
	step(left)
	gone := left.Parked()
	if gone == nil {
		t.Fatal("an activation that found no job was not parked")
	}
	cancel()
	step(create())
	if s.StillParked(gone) || s.Unpark(gone) {
		t.Fatal("the activation of a caller that went away is still parked")
	}
	if !gone.Answered() {
		t.Fatal("a dropped parked activation was not answered: its caller would wait for ever")
	}
	if _, err := gone.Result(); !errors.Is(err, context.Canceled) {
		t.Fatalf("a dropped parked activation answered %v, want its context's error", err)
	}
	if len(s.State().Activatable("work", nil, 1)) != 1 {
		t.Fatal("the dropped activation took the job")
	}
}
