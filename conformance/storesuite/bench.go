package storesuite

import (
	"context"
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

// counting counts what an engine commits to a store.
type counting struct {
	store.Store
	commits, commands, records atomic.Int64
	busy                       atomic.Int64 // nanoseconds spent in Commit
}

func (c *counting) Commit(ctx context.Context, b *store.Batch) error {
	start := time.Now()
	err := c.Store.Commit(ctx, b)
	c.busy.Add(int64(time.Since(start)))
	if err != nil {
		return err
	}
	n := 0
	for _, r := range b.Records {
		if r.Kind == record.KindCommand {
			n++
		}
	}
	c.commits.Add(1)
	c.commands.Add(int64(n))
	c.records.Add(int64(len(b.Records)))
	return nil
}

// Prepare passes the engine's early encoding through, so that the bench
// measures the store as the engine runs it.
func (c *counting) Prepare(b *store.Batch) error { return store.Prepare(c.Store, b) }

func (c *counting) Load(ctx context.Context) (*state.Snapshot, error) {
	return c.Store.(store.Loader).Load(ctx)
}

// BenchW1 measures workload W1 (start -> service task -> end) on an engine
// over s: clients create an instance, activate its job and complete it,
// in-process through the engine's Client methods. One op is one instance.
// It reports instances/s, commits/s, the mean commands and records per
// commit, the mean time of a commit and the share of time the engine spent
// waiting for commits.
func BenchW1(b *testing.B, s store.Store, clients int) {
	b.Helper()
	xml, err := models.ReadFile("testdata/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	cs := &counting{Store: s}
	ctx := context.Background()
	// Backpressure off: the benchmark measures the store, and its clients
	// have no retry loop for a refused command.
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: cs, Registry: standard.Registry(),
		Backpressure: engine.Backpressure{Off: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
		b.Fatal(err)
	}
	commits0, commands0, records0, busy0 := cs.commits.Load(), cs.commands.Load(), cs.records.Load(), cs.busy.Load()
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
					b.Error(err)
					return
				}
				jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "bench", Timeout: time.Minute,
					MaxJobs: 1, RequestTimeout: time.Second})
				if err != nil {
					b.Error(err)
					return
				}
				for _, j := range jobs {
					if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key}); err != nil {
						b.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	commits := float64(cs.commits.Load() - commits0)
	b.ReportMetric(float64(b.N)/secs, "instances/s")
	b.ReportMetric(commits/secs, "commits/s")
	if commits > 0 {
		b.ReportMetric(float64(cs.commands.Load()-commands0)/commits, "commands/commit")
		b.ReportMetric(float64(cs.records.Load()-records0)/commits, "records/commit")
		b.ReportMetric(float64(cs.busy.Load()-busy0)/1e6/commits, "ms/commit")
		b.ReportMetric(100*float64(cs.busy.Load()-busy0)/1e9/secs, "%in-commit")
	}
}
