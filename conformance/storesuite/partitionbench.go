package storesuite

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// BenchPartitions models W1 on partitions partitions of one process: one
// engine per partition, each with its own loop, committer and store, the
// stores opened by open (for PostgreSQL: databases of one server, as
// partitions would have their own logs and commit connections on one
// primary). clients are spread evenly over the partitions, as the router's
// round robin spreads new instances; W1 has no cross-partition traffic, so
// the model leaves out only the router's cost. One op is one instance.
// It reports instances/s and the process's CPU time per instance (user and
// system, of everything in the test process).
func BenchPartitions(b *testing.B, open func(b *testing.B) store.Store, partitions, clients int) {
	b.Helper()
	xml, err := models.ReadFile("testdata/w1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	engines := make([]*engine.Engine, partitions)
	for i := range engines {
		e, err := engine.Start(ctx, engine.Config{Partition: int32(i + 1), Clock: clock.System{}, Store: open(b), // #nosec G115 -- a handful of partitions
			Registry: standard.Registry(), Backpressure: engine.Backpressure{Off: true}})
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = e.Close() }()
		if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
			b.Fatal(err)
		}
		engines[i] = e
	}
	each := max(1, clients/partitions)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := int64(b.N / partitions)
	for i, e := range engines {
		n := per
		if i == 0 {
			n += int64(b.N % partitions)
		}
		if n == 0 {
			continue // runW1 runs without bound for n 0 (b.N below the partitions)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runW1(ctx, b, e, each, n, nil)
		}()
	}
	wg.Wait()
	took := time.Since(start)
	b.StopTimer()
	cpu := cpuTime(b) - cpu0
	b.ReportMetric(float64(b.N)/took.Seconds(), "instances/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/instance")
}
