package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// partitioned is store.Partitioned: a store with a view per partition.
type partitioned interface {
	Partition(p int32) (store.Store, error)
}

// startOnViews starts n engines on the partition views of s behind a
// router; the test closes them at its end (before s, registered earlier).
func startOnViews(t *testing.T, s store.Store, n int32) *engine.Router {
	t.Helper()
	ctx := context.Background()
	ps, ok := s.(partitioned)
	if !ok {
		t.Skipf("store %T has no partition views", s)
	}
	var engines []*engine.Engine
	for p := int32(1); p <= n; p++ {
		v, err := ps.Partition(p)
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.Start(ctx, engine.Config{Partition: p, Clock: clock.System{}, Store: v, Registry: standard.Registry()})
		if err != nil {
			t.Fatalf("start partition %d: %v", p, err)
		}
		t.Cleanup(func() { _ = e.Close() })
		engines = append(engines, e)
	}
	r, err := engine.NewRouter(ctx, engines, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// W1 on four partitions of one shared store (memory, and PostgreSQL with
// WF_TEST_POSTGRES_URL): instances spread, run and end on their
// partitions; after a restart every partition loads its own instances and
// the definitions, and goes on.
func TestRouterOnPartitionViews(t *testing.T) {
	for _, sc := range []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"memory", func(*testing.T) store.Store { return memstore.New(memstore.Options{}) }},
		{"postgres", func(t *testing.T) store.Store {
			s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			ctx := context.Background()
			s := sc.open(t)
			t.Cleanup(func() { _ = s.Close() })
			if err := store.CheckPartitions(ctx, s, 4); err != nil {
				t.Fatal(err)
			}
			r := startOnViews(t, s, 4)
			if _, err := r.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: []byte(w1XML)}}}); err != nil {
				t.Fatal(err)
			}
			runW1s := func(n int) {
				t.Helper()
				spread := map[int32]int{}
				for range n {
					ci, err := r.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
					if err != nil {
						t.Fatal(err)
					}
					spread[record.Partition(ci.ProcessInstanceKey)]++
				}
				if len(spread) != 4 {
					t.Errorf("%d instances went to partitions %v, want all 4", n, spread)
				}
				jobs, err := r.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 100})
				if err != nil || len(jobs) != n {
					t.Fatalf("activate: %v, %d jobs, want %d", err, len(jobs), n)
				}
				for _, j := range jobs {
					if err := r.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key}); err != nil {
						t.Fatal(err)
					}
				}
			}
			runW1s(8)
			// Four more wait in their partitions over the restart.
			for range 4 {
				if _, err := r.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			r = startOnViews(t, s, 4)
			jobs, err := r.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 100})
			if err != nil || len(jobs) != 4 {
				t.Fatalf("activate after the restart: %v, %d jobs, want the 4 of before", err, len(jobs))
			}
			for _, j := range jobs {
				if err := r.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key}); err != nil {
					t.Fatal(err)
				}
			}
			runW1s(8)
		})
	}
}
