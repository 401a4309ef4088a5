package retention

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
)

// fakeStep removes units from a list of due times, limit per batch.
type fakeStep struct {
	mu     sync.Mutex
	due    []time.Time // units, in removal order
	limits []int       // the limit of every batch
	nows   []time.Time // the now of every batch
	fail   int         // fail this many batches first
}

func (f *fakeStep) batch(_ context.Context, now time.Time, limit int) (BatchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits = append(f.limits, limit)
	f.nows = append(f.nows, now)
	if f.fail > 0 {
		f.fail--
		return BatchResult{}, errors.New("store unavailable")
	}
	n := 0
	for n < len(f.due) && n < limit && f.due[n].Before(now) {
		n++
	}
	f.due = f.due[n:]
	more := n == limit && len(f.due) > 0 && f.due[0].Before(now)
	return BatchResult{Removed: n, More: more}, nil
}

func (f *fakeStep) backlog(_ context.Context, now time.Time) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.due) == 0 || !f.due[0].Before(now) {
		return 0, nil
	}
	return now.Sub(f.due[0]), nil
}

// recorder is an Observer that hands each run to the test.
type recorder struct {
	mu      sync.Mutex
	batches []int
	errs    int
	runs    chan time.Duration
}

func (r *recorder) ObserveRetentionBatch(_ string, removed int, _ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, removed)
	if err != nil {
		r.errs++
	}
}

func (r *recorder) ObserveRetentionRun(_ string, _ time.Time, backlog time.Duration) {
	r.runs <- backlog
}

func (r *recorder) removed() (sum int, batches int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.batches {
		sum += n
	}
	return sum, len(r.batches)
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// waitRun waits for the runner's next run to end.
func waitRun(t *testing.T, rec *recorder) time.Duration {
	t.Helper()
	select {
	case b := <-rec.runs:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("the runner did not run")
		return 0
	}
}

func TestRunnerRunsAtOnceInBatchesThenEveryInterval(t *testing.T) {
	clk := clock.NewManual(t0)
	f := &fakeStep{}
	for i := range 7 {
		f.due = append(f.due, t0.Add(-time.Hour+time.Duration(i)*time.Minute))
	}
	f.due = append(f.due, t0.Add(30*time.Second)) // due only after the clock moved
	rec := &recorder{runs: make(chan time.Duration, 1)}
	r, err := NewRunner(Config{Interval: time.Minute, BatchSize: 3}, clk, rec, nil,
		Step{Name: "fake", Batch: f.batch, Backlog: f.backlog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	if b := waitRun(t, rec); b != 0 {
		t.Errorf("backlog after the first run = %v, want 0", b)
	}
	if n, batches := rec.removed(); n != 7 || batches != 3 {
		t.Fatalf("first run removed %d in %d batches, want 7 in 3 (3+3+1)", n, batches)
	}
	select {
	case <-rec.runs:
		t.Fatal("the runner ran again before its interval")
	default:
	}
	waitWaiting(t, clk)
	clk.Advance(time.Minute)
	waitRun(t, rec)
	if n, _ := rec.removed(); n != 8 {
		t.Fatalf("after the interval %d removed, want 8", n)
	}
	f.mu.Lock()
	last := f.nows[len(f.nows)-1]
	f.mu.Unlock()
	if !last.Equal(t0.Add(time.Minute)) {
		t.Errorf("the second run's batches saw now = %v", last)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
}

func TestRunnerRetriesAFailedBatchAtTheNextRun(t *testing.T) {
	clk := clock.NewManual(t0)
	f := &fakeStep{due: []time.Time{t0.Add(-time.Hour)}, fail: 1}
	rec := &recorder{runs: make(chan time.Duration, 1)}
	r, err := NewRunner(Config{Interval: time.Minute}, clk, rec, nil, Step{Name: "fake", Batch: f.batch, Backlog: f.backlog})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if b := waitRun(t, rec); b != time.Hour {
		t.Errorf("backlog after a failed run = %v, want 1h", b)
	}
	if n, _ := rec.removed(); n != 0 || rec.errs != 1 {
		t.Fatalf("failed run: removed %d, errors %d", n, rec.errs)
	}
	waitWaiting(t, clk)
	clk.Advance(time.Minute)
	waitRun(t, rec)
	if n, _ := rec.removed(); n != 1 {
		t.Fatalf("the next run removed %d, want 1", n)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
}

func TestRunnerAdaptsTheBatchSizeToItsTarget(t *testing.T) {
	clk := clock.NewManual(t0)
	f := &fakeStep{}
	for range 100 {
		f.due = append(f.due, t0.Add(-time.Hour))
	}
	r, err := NewRunner(Config{}, clk, nil, nil, Step{Name: "fake", Batch: f.batch, Limit: 16, Target: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Batches take 10, 10, 6, 1, 1, 1 ... ms.
	took := []time.Duration{10, 10, 6, 1, 1, 1}
	i := 0
	r.stopwatch = func() func() time.Duration {
		return func() time.Duration {
			d := time.Millisecond
			if i < len(took) {
				d = took[i] * time.Millisecond
			}
			i++
			return d
		}
	}
	got := r.RunOnce(context.Background())
	if got["fake"] != 100 {
		t.Fatalf("removed %v, want 100", got)
	}
	want := []int{16, 8, 4, 2, 4, 8, 16, 16}
	if len(f.limits) < len(want) {
		t.Fatalf("limits %v", f.limits)
	}
	for k, w := range want {
		if f.limits[k] != w {
			t.Fatalf("batch limits %v, want them to start %v", f.limits, want)
		}
	}
}

func TestNewRunnerRefusesBadConfigAndSteps(t *testing.T) {
	clk := clock.NewManual(t0)
	if _, err := NewRunner(Config{HistoryTTL: -time.Hour}, clk, nil, nil); err == nil {
		t.Error("a negative TTL was accepted")
	}
	if _, err := NewRunner(Config{PerProcess: map[string]time.Duration{"p": -1}}, clk, nil, nil); err == nil {
		t.Error("a negative per-process TTL was accepted")
	}
	if _, err := NewRunner(Config{}, clk, nil, nil, Step{Name: "x"}); err == nil {
		t.Error("a step without a batch function was accepted")
	}
}

func TestConfigPolicy(t *testing.T) {
	c := Config{HistoryTTL: 10 * time.Hour, PerProcess: map[string]time.Duration{"keep": 0, "short": time.Hour}}
	p := c.Policy(t0)
	if !p.Cutoff.Equal(t0.Add(-10*time.Hour)) || !p.CutoffOf("short").Equal(t0.Add(-time.Hour)) || !p.CutoffOf("keep").IsZero() {
		t.Errorf("policy = %+v", p)
	}
	if p.Due("keep", "COMPLETED", t0.Add(-1000*time.Hour)) {
		t.Error("a process with TTL 0 was due")
	}
	if !p.Due("other", "TERMINATED", t0.Add(-11*time.Hour)) || p.Due("other", "ACTIVE", t0.Add(-11*time.Hour)) {
		t.Error("Due ignores the state or the default TTL")
	}
	if !(Config{}).keepsAll() || c.keepsAll() {
		t.Error("keepsAll")
	}
}

func TestRunnerAdaptsToTheTimeABatchHeldTheStore(t *testing.T) {
	clk := clock.NewManual(t0)
	var limits []int
	left := 40
	step := Step{Name: "held", Limit: 8, Target: 5 * time.Millisecond,
		Batch: func(_ context.Context, _ time.Time, limit int) (BatchResult, error) {
			limits = append(limits, limit)
			n := min(limit, left)
			left -= n
			// Held longer than the target, however quick the call.
			return BatchResult{Removed: n, More: left > 0, Held: 10 * time.Millisecond}, nil
		}}
	r, err := NewRunner(Config{}, clk, nil, nil, step)
	if err != nil {
		t.Fatal(err)
	}
	r.stopwatch = func() func() time.Duration { return func() time.Duration { return time.Microsecond } }
	r.RunOnce(context.Background())
	if len(limits) < 4 || limits[0] != 8 || limits[1] != 4 || limits[2] != 2 || limits[3] != 1 {
		t.Fatalf("limits %v, want 8, 4, 2, 1, ...", limits)
	}
}

// waitWaiting returns once the runner waits on clk for its next run, so that
// advancing the clock wakes it (a wait asked for after the advance would be
// measured from the new time).
func waitWaiting(t *testing.T, clk *clock.Manual) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for clk.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the runner did not wait for its next run")
		}
		time.Sleep(time.Millisecond)
	}
}
