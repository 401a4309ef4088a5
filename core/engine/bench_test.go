package engine_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// w1 drives workload W1 (start -> service task -> end, the job completed
// in-process) straight through a Processor: the kernel alone.
type w1 struct {
	p   *engine.Processor
	now int64
}

func newW1(tb testing.TB) *w1 {
	tb.Helper()
	xml, err := os.ReadFile("testdata/w1.bpmn")
	if err != nil {
		tb.Fatal(err)
	}
	k := &w1{p: engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry()), now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()}
	k.must(tb, &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}})
	return k
}

func (k *w1) must(tb testing.TB, cmd *record.Record) *engine.Result {
	cmd.Timestamp = k.now
	res, err := k.p.Process(cmd)
	if err != nil {
		tb.Fatal(err)
	}
	if res.Rejection != nil {
		tb.Fatal(res.Rejection)
	}
	return res
}

// instance runs one W1 instance to its end.
func (k *w1) instance(tb testing.TB) {
	k.must(tb, &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
		Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1"}})
	res := k.must(tb, &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: "w1-work", Worker: "bench", Timeout: 60000, MaxJobsToActivate: 1}})
	jobs := res.Response.([]engine.ActivatedJob)
	if len(jobs) != 1 {
		tb.Fatalf("activated %d jobs, want 1", len(jobs))
	}
	k.must(tb, &record.Record{Key: jobs[0].Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}})
	k.p.State().TakeChanges()
}

// BenchmarkKernelW1 measures the kernel alone, one op = one instance from
// creation to completion. "after-1M" first completes 1,000,000 instances
// (not timed) to show that per-instance cost does not grow with history.
func BenchmarkKernelW1(b *testing.B) {
	b.Run("fresh", func(b *testing.B) {
		k := newW1(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			k.instance(b)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
	})
	b.Run("after-1M", func(b *testing.B) {
		if testing.Short() {
			b.Skip("the 1M warm-up is long; run without -short")
		}
		k := newW1(b)
		for range 1_000_000 {
			k.instance(b)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			k.instance(b)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
		if c := k.p.State().Counts(); c.Elements != 0 || c.Jobs != 0 {
			b.Fatalf("finished instances stay in memory: %+v", c)
		}
	})
}

// BenchmarkEngineW1 measures the engine with its processing goroutine,
// batching and the memory store, driven by concurrent in-process clients.
func BenchmarkEngineW1(b *testing.B) {
	xml, err := os.ReadFile("testdata/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	st := memstore.New(memstore.Options{DiscardLog: true, DiscardRows: true})
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: st, Registry: standard.Registry()})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = e.Close() }()
	ctx := context.Background()
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
		b.Fatal(err)
	}
	const clients = 64
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
					b.Error(err)
					return
				}
				jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "bench", Timeout: time.Minute, MaxJobs: 1})
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
	b.ReportMetric(float64(st.Commits())/b.Elapsed().Seconds(), "commits/s")
}
