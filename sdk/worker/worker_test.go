package worker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/sdk/client"
	"github.com/example/wf-engine/sdk/worker"
)

func TestWorkerCompletesJobs(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	var keys []int64
	for i := 1; i <= 3; i++ {
		keys = append(keys, e.create(t, "sdk-charge", map[string]any{"amount": i, "secret": "not fetched"}))
	}
	var mu sync.Mutex
	var seen [][]string
	m := &counts{}
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(_ context.Context, job worker.Job) (any, error) {
		var in struct{ Amount int }
		if err := job.VariablesAs(&in); err != nil {
			return nil, err
		}
		var names []string
		for n := range job.Variables {
			names = append(names, n)
		}
		slices.Sort(names)
		mu.Lock()
		seen = append(seen, names)
		mu.Unlock()
		return map[string]any{"charged": in.Amount * 100, "by": job.Worker}, nil
	}), worker.WithFetchVariables("amount"), worker.WithName("billing"), worker.WithMetrics(m.metrics()), quiet(), fast())
	run(t, w)

	for _, k := range keys {
		eventually(t, fmt.Sprintf("instance %d completes", k), func() bool { return e.state(t, k) == "COMPLETED" })
	}
	for i, k := range keys {
		vars, err := e.c.SearchVariables(ctx(t), client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: k, Name: "charged"}})
		if err != nil || len(vars.Items) != 1 || vars.Items[0].Value != fmt.Sprint((i+1)*100) {
			t.Fatalf("instance %d: charged = %+v (%v)", k, vars, err)
		}
		by, err := e.c.SearchVariables(ctx(t), client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: k, Name: "by"}})
		if err != nil || len(by.Items) != 1 || by.Items[0].Value != `"billing"` {
			t.Fatalf("instance %d: by = %+v (%v)", k, by, err)
		}
	}
	mu.Lock()
	for _, names := range seen {
		if !slices.Equal(names, []string{"amount"}) {
			t.Errorf("handler saw variables %v, want only the fetched amount", names)
		}
	}
	mu.Unlock()
	activated, completed, failed, thrown, _ := m.get()
	if activated != 3 || completed != 3 || failed != 0 || thrown != 0 {
		t.Fatalf("metrics: activated %d completed %d failed %d thrown %d", activated, completed, failed, thrown)
	}
}

func TestWorkerFailsWithDecreasingRetriesAndBackoff(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	retries := make(chan int32, 10)
	m := &counts{}
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(_ context.Context, job worker.Job) (any, error) {
		retries <- job.Retries
		return nil, errors.New("card service down")
	}), worker.WithBackoff(worker.ConstantBackoff(time.Hour)), worker.WithMetrics(m.metrics()), quiet(), fast())
	run(t, w)

	engineNow := time.Now()
	for _, want := range []int32{3, 2, 1} {
		if got := <-retries; got != want {
			t.Fatalf("handler saw %d retries, want %d", got, want)
		}
		eventually(t, fmt.Sprintf("the job is failed with %d retries", want-1), func() bool {
			j := e.job(t, key)
			return j.Retries == want-1 && j.State == "FAILED" && j.ErrorMessage == "card service down"
		})
		if want == 1 {
			break
		}
		// Backing off for an hour: nobody can activate the job now.
		jobs, err := e.c.ActivateJobs(ctx(t), client.ActivateJobsRequest{Type: "sdk-charge", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: -1})
		if err != nil || len(jobs) != 0 {
			t.Fatalf("activation during the back-off: %d jobs (%v)", len(jobs), err)
		}
		// An hour later (engine time) the worker gets it again.
		engineNow = engineNow.Add(61 * time.Minute)
		if err := e.c.PinClock(ctx(t), engineNow); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "an incident is raised", func() bool {
		inc, err := e.c.SearchIncidents(ctx(t), client.IncidentQuery{Filter: client.IncidentFilter{ProcessInstanceKey: key}})
		return err == nil && len(inc.Items) == 1 && inc.Items[0].ErrorType == "JOB_NO_RETRIES" && inc.Items[0].ErrorMessage == "card service down"
	})
	eventually(t, "the metrics count three failures", func() bool {
		_, _, failed, _, _ := m.get()
		return failed == 3
	})
	if len(retries) != 0 {
		t.Fatalf("the handler ran %d more times", len(retries))
	}
}

func TestExponentialBackoff(t *testing.T) {
	b := worker.ExponentialBackoff(time.Second, 5*time.Second, 5)
	for _, tc := range []struct {
		retriesLeft int32
		want        time.Duration
	}{{5, time.Second}, {4, 2 * time.Second}, {3, 4 * time.Second}, {2, 5 * time.Second}, {1, 5 * time.Second}, {9, time.Second}} {
		if got := b(worker.Job{Retries: tc.retriesLeft}); got != tc.want {
			t.Errorf("with %d retries left: %v, want %v", tc.retriesLeft, got, tc.want)
		}
	}
}

func TestHandlerPanicFailsTheJob(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
		panic("nil map")
	}), worker.WithBackoff(worker.ConstantBackoff(time.Hour)), quiet(), fast())
	run(t, w)
	eventually(t, "the job is failed", func() bool {
		j := e.job(t, key)
		return j.Retries == 2 && j.State == "FAILED" && strings.Contains(j.ErrorMessage, "panicked: nil map")
	})
}

func TestWorkerThrowsBPMNErrors(t *testing.T) {
	e := start(t)
	e.deploy(t, "card-check.bpmn")
	byValue := e.create(t, "sdk-card-check", map[string]any{"style": "value"})
	byPointer := e.create(t, "sdk-card-check", map[string]any{"style": "wrapped pointer"})
	m := &counts{}
	w := worker.New(e.c, "sdk-card-check", worker.HandlerFunc(func(_ context.Context, job worker.Job) (any, error) {
		var in struct{ Style string }
		if err := job.VariablesAs(&in); err != nil {
			return nil, err
		}
		if in.Style == "value" {
			return nil, worker.BPMNError{Code: "CARD_DECLINED", Message: "expired", Variables: map[string]any{"reason": "expired"}}
		}
		return nil, fmt.Errorf("check card: %w", &worker.BPMNError{Code: "CARD_DECLINED", Variables: map[string]any{"reason": "stolen"}})
	}), worker.WithMetrics(m.metrics()), quiet(), fast())
	run(t, w)

	for key, reason := range map[int64]string{byValue: `"expired"`, byPointer: `"stolen"`} {
		eventually(t, "the instance completes", func() bool { return e.state(t, key) == "COMPLETED" })
		ends, err := e.c.SearchElementInstances(ctx(t), client.ElementInstanceQuery{Filter: client.ElementInstanceFilter{ProcessInstanceKey: key, Type: "END_EVENT"}})
		if err != nil || len(ends.Items) != 1 || ends.Items[0].ElementID != "declined" {
			t.Fatalf("instance %d ended in %+v (%v), want the error boundary's end", key, ends, err)
		}
		vars, err := e.c.SearchVariables(ctx(t), client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: key, Name: "reason"}})
		if err != nil || len(vars.Items) != 1 || vars.Items[0].Value != reason {
			t.Fatalf("instance %d: reason %+v (%v), want %s", key, vars, err, reason)
		}
	}
	// The worker counts a throw once its request has been answered, which
	// may be after the instance completed.
	eventually(t, "the metrics count both throws", func() bool {
		_, _, _, thrown, _ := m.get()
		return thrown == 2
	})
}

func TestNoRetriesRaisesAnIncidentAtOnce(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	var calls atomic.Int32
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
		calls.Add(1)
		return nil, worker.NoRetries(errors.New("amount is missing"))
	}), quiet(), fast())
	run(t, w)
	eventually(t, "an incident is raised", func() bool {
		inc, err := e.c.SearchIncidents(ctx(t), client.IncidentQuery{Filter: client.IncidentFilter{ProcessInstanceKey: key}})
		return err == nil && len(inc.Items) == 1 && inc.Items[0].ErrorMessage == "amount is missing"
	})
	if j := e.job(t, key); j.Retries != 0 || calls.Load() != 1 {
		t.Fatalf("job %+v after %d calls, want 0 retries after 1 call", j, calls.Load())
	}
}

func TestAutoCompleteOff(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(ctx context.Context, job worker.Job) (any, error) {
		// The handler completes the job itself; what it returns is ignored.
		return map[string]any{"ignored": true}, e.c.CompleteJob(ctx, job.JobKey, client.CompleteJobRequest{Variables: map[string]any{"manual": true}})
	}), worker.WithAutoComplete(false), quiet(), fast())
	run(t, w)
	eventually(t, "the instance completes", func() bool { return e.state(t, key) == "COMPLETED" })
	vars, err := e.c.SearchVariables(ctx(t), client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: key}})
	if err != nil || len(vars.Items) != 1 || vars.Items[0].Name != "manual" {
		t.Fatalf("variables %+v (%v), want only manual", vars, err)
	}
}

func TestWorkerRespectsMaxJobsActive(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	const jobs, limit = 10, 3
	var keys []int64
	for range jobs {
		keys = append(keys, e.create(t, "sdk-charge", nil))
	}
	var inFlight, maxSeen atomic.Int32
	gate := make(chan struct{})
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		<-gate
		return nil, nil
	}), worker.WithMaxJobsActive(limit), quiet(), fast())
	run(t, w)

	eventually(t, "the worker is full", func() bool { return inFlight.Load() == limit })
	// The engine agrees: exactly `limit` jobs are activated (have a deadline).
	locked, err := e.c.SearchJobs(ctx(t), client.JobQuery{Extra: client.RawFilter{"deadline": client.Cond{Exists: client.Ptr(true)}}})
	if err != nil || locked.Page.TotalItems != limit {
		t.Fatalf("activated jobs: %+v (%v), want %d", locked, err, limit)
	}
	close(gate)
	for _, k := range keys {
		eventually(t, "every instance completes", func() bool { return e.state(t, k) == "COMPLETED" })
	}
	if m := maxSeen.Load(); m != limit {
		t.Fatalf("at most %d jobs ran at once, want exactly %d", m, limit)
	}
}

func TestCloseWaitsForJobsInFlight(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	started := make(chan struct{})
	release := make(chan struct{})
	var finished atomic.Bool
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(ctx context.Context, _ worker.Job) (any, error) {
		close(started)
		<-release
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		finished.Store(true)
		return map[string]any{"done": true}, nil
	}), quiet(), fast())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(context.Background()) }()
	<-started

	closed := make(chan error, 1)
	go func() {
		cx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		closed <- w.Close(cx)
	}()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a job was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !finished.Load() {
		t.Fatal("Close returned before the handler finished")
	}
	// The outcome was reported before Close returned.
	if s := e.state(t, key); s != "COMPLETED" {
		t.Fatalf("after Close the instance is %s", s)
	}
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunStopsGracefullyWhenItsContextEnds(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	started := make(chan struct{})
	release := make(chan struct{})
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
		close(started)
		<-release
		return nil, nil
	}), quiet(), fast(), worker.WithShutdownTimeout(20*time.Second))
	rctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(rctx) }()
	<-started
	cancel()
	close(release)
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if s := e.state(t, key); s != "COMPLETED" {
		t.Fatalf("after Run returned the instance is %s", s)
	}
	if err := w.Run(context.Background()); err == nil {
		t.Fatal("a second Run: no error")
	}
}

func TestCloseWithAnExpiredContextHandsJobsBack(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn")
	key := e.create(t, "sdk-charge", nil)
	started := make(chan struct{})
	canceled := make(chan struct{})
	m := &counts{}
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(ctx context.Context, _ worker.Job) (any, error) {
		close(started)
		<-ctx.Done() // a handler that takes until it is told to stop
		close(canceled)
		return map[string]any{"late": true}, nil
	}), worker.WithJobTimeout(time.Hour), worker.WithMetrics(m.metrics()), quiet(), fast())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(context.Background()) }()
	<-started

	cx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := w.Close(cx)
	if err == nil || !strings.Contains(err.Error(), "handed them back") {
		t.Fatalf("Close: %v, want an error saying the job was handed back", err)
	}
	<-canceled
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The job is activatable again at once, with its retries unchanged,
	// although its one-hour lock has not run out.
	jobs, err := e.c.ActivateJobs(ctx(t), client.ActivateJobsRequest{Type: "sdk-charge", Timeout: time.Minute, MaxJobs: 5, RequestTimeout: -1})
	if err != nil || len(jobs) != 1 || jobs[0].ProcessInstanceKey != key || jobs[0].Retries != 3 {
		t.Fatalf("after hand-back: %+v (%v), want the job with 3 retries", jobs, err)
	}
	if _, completed, _, _, requeued := m.get(); requeued != 1 || completed != 0 {
		t.Fatalf("metrics: requeued %d completed %d", requeued, completed)
	}
	// The handler's late result was not reported.
	vars, err := e.c.SearchVariables(ctx(t), client.VariableQuery{Filter: client.VariableFilter{ProcessInstanceKey: key, Name: "late"}})
	if err != nil || len(vars.Items) != 0 {
		t.Fatalf("late variables: %+v (%v)", vars, err)
	}
}

func TestCloseBeforeRun(t *testing.T) {
	e := start(t)
	w := worker.New(e.c, "sdk-charge", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) { return nil, nil }), quiet())
	if err := w.Close(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(ctx(t)); err != nil {
		t.Fatalf("Run after Close: %v", err)
	}
}

func TestNewReportsBadArguments(t *testing.T) {
	w := worker.New(nil, " ", nil, worker.WithMaxJobsActive(0), worker.WithPollTimeout(0), worker.WithJobTimeout(-1), worker.WithName(""), worker.WithBackoff(nil))
	err := w.Run(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"expected a client", "expected a job type", "expected a handler", "WithMaxJobsActive", "WithPollTimeout", "WithJobTimeout", "WithName", "WithBackoff"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
