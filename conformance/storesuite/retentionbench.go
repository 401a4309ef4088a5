package storesuite

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// timing is a store that keeps the duration of every commit.
type timing struct {
	store.Store
	mu    sync.Mutex
	on    bool
	times []time.Duration
}

func (c *timing) Commit(ctx context.Context, b *store.Batch) error {
	start := time.Now()
	err := c.Store.Commit(ctx, b)
	c.mu.Lock()
	if c.on {
		c.times = append(c.times, time.Since(start))
	}
	c.mu.Unlock()
	return err
}

func (c *timing) Prepare(b *store.Batch) error { return store.Prepare(c.Store, b) }

func (c *timing) Load(ctx context.Context) (*state.Snapshot, error) {
	return c.Store.(store.Loader).Load(ctx)
}

// runW1 runs W1 instances with clients until stop is closed or n instances
// ran (n 0: no bound); it returns how many ran.
func runW1(ctx context.Context, tb testing.TB, e *engine.Engine, clients int, n int64, stop <-chan struct{}) int64 {
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n == 0 || next.Add(1) <= n {
				select {
				case <-stop:
					return
				default:
				}
				_, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", Variables: map[string]any{"order": 1, "customer": "c"}})
				for errors.Is(err, engine.ErrOverloaded) {
					time.Sleep(time.Millisecond) // backpressure: try again
					_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", Variables: map[string]any{"order": 1, "customer": "c"}})
				}
				if err != nil {
					tb.Error(err)
					return
				}
				jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "bench", Timeout: time.Minute,
					MaxJobs: 1, RequestTimeout: time.Second})
				if err != nil {
					tb.Error(err)
					return
				}
				for _, j := range jobs {
					err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"ok": true}})
					for errors.Is(err, engine.ErrOverloaded) {
						time.Sleep(time.Millisecond)
						err = e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"ok": true}})
					}
					if err != nil {
						tb.Error(err)
						return
					}
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return done.Load()
}

// BenchRetention fills s with finished W1 instances (b.N of them), then
// removes them in batches of limit while 16 clients run W1 on the same
// engine and store. It reports the batches' mean, p99 and largest
// duration (with the wait for SQLite's writer) and time held
// (RemovalResult.Held), instances removed per second, and the mean, p99
// and largest commit duration during the removal.
func BenchRetention(b *testing.B, s store.Store, limit int) {
	b.Helper()
	xml, err := models.ReadFile("testdata/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	r, ok := s.(store.Retainer)
	if !ok {
		b.Fatalf("%T does not implement store.Retainer", s)
	}
	ts := &timing{Store: s}
	ctx := context.Background()
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: ts, Registry: standard.Registry()})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
		b.Fatal(err)
	}
	runW1(ctx, b, e, 64, int64(b.N), nil)
	cutoff := time.Now().Add(time.Millisecond)
	policy := store.RetentionPolicy{Cutoff: cutoff}

	stop := make(chan struct{})
	loadDone := make(chan int64, 1)
	ts.mu.Lock()
	ts.on = true
	ts.mu.Unlock()
	go func() { loadDone <- runW1(ctx, b, e, 16, 0, stop) }()
	b.ResetTimer()
	var batches, held []time.Duration
	removed := 0
	for {
		start := time.Now()
		res, err := r.RemoveFinished(ctx, policy, limit)
		if err != nil {
			b.Fatal(err)
		}
		if res.Instances > 0 {
			batches = append(batches, time.Since(start))
			held = append(held, res.Held)
		}
		removed += res.Instances
		if !res.More {
			break
		}
	}
	b.StopTimer()
	close(stop)
	<-loadDone
	ts.mu.Lock()
	commits := ts.times
	ts.on = false
	ts.mu.Unlock()
	if removed != b.N {
		b.Fatalf("removed %d instances, want %d", removed, b.N)
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	stats := func(ds []time.Duration) (mean, p99, top time.Duration) {
		if len(ds) == 0 {
			return 0, 0, 0
		}
		sorted := append([]time.Duration(nil), ds...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		var sum time.Duration
		for _, d := range sorted {
			sum += d
		}
		return sum / time.Duration(len(sorted)), sorted[len(sorted)*99/100], sorted[len(sorted)-1]
	}
	mean, p99, top := stats(batches)
	b.ReportMetric(ms(mean), "ms/batch")
	b.ReportMetric(ms(p99), "p99-ms/batch")
	b.ReportMetric(ms(top), "max-ms/batch")
	hmean, hp99, htop := stats(held)
	b.ReportMetric(ms(hmean), "held-ms/batch")
	b.ReportMetric(ms(hp99), "p99-held-ms/batch")
	b.ReportMetric(ms(htop), "max-held-ms/batch")
	b.ReportMetric(float64(removed)/b.Elapsed().Seconds(), "removed/s")
	cmean, cp99, ctop := stats(commits)
	b.ReportMetric(ms(cmean), "ms/commit")
	b.ReportMetric(ms(cp99), "p99-ms/commit")
	b.ReportMetric(ms(ctop), "max-ms/commit")
}
