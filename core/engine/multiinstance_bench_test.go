package engine_test

import (
	"os"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/elements/standard"
)

// BenchmarkKernelMultiInstance measures the kernel alone on a parallel
// multi-instance service task over 100 items: one op = one instance from
// creation to completion, its 100 jobs activated in one batch and each
// completed in-process with a result the body collects.
func BenchmarkKernelMultiInstance(b *testing.B) {
	xml, err := os.ReadFile("testdata/mi100.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	k := &w1{p: engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry())}
	k.must(b, &record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "mi100.bpmn", Content: xml}}}})
	const items = 100
	list := make([]any, items)
	for i := range list {
		list[i] = float64(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		k.must(b, &record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "mi", Variables: map[string]any{"items": list}}})
		res := k.must(b, &record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
			Value: &record.JobBatchValue{Type: "mi-work", Worker: "bench", Timeout: 60000, MaxJobsToActivate: items}})
		jobs := res.Response.([]engine.ActivatedJob)
		if len(jobs) != items {
			b.Fatalf("activated %d jobs, want %d", len(jobs), items)
		}
		for i, j := range jobs {
			k.must(b, &record.Record{Key: j.Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1,
				Value: &record.JobValue{Variables: map[string]any{"result": float64(i)}}})
		}
		k.p.State().TakeChanges()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "instances/s")
	b.ReportMetric(float64(b.N*items)/b.Elapsed().Seconds(), "jobs/s")
	if c := k.p.State().Counts(); c.Elements != 0 || c.Jobs != 0 {
		b.Fatalf("finished instances stay in memory: %+v", c)
	}
}
