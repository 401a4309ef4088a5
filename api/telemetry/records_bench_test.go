package telemetry_test

import (
	"testing"
	"time"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// BenchmarkCommitCounting measures what counting a W1-like instance's
// records (create, one job, complete) adds to a commit.
func BenchmarkCommitCounting(b *testing.B) {
	m := telemetry.New()
	pi := &record.ProcessInstanceValue{BPMNProcessID: "w1", BPMNElementType: "PROCESS", FlowScopeKey: -1}
	task := &record.ProcessInstanceValue{BPMNProcessID: "w1", BPMNElementType: "SERVICE_TASK", FlowScopeKey: 1}
	start := &record.ProcessInstanceValue{BPMNProcessID: "w1", BPMNElementType: "START_EVENT", FlowScopeKey: 1}
	job := &record.JobValue{Type: "w1-work"}
	recs := []*record.Record{
		{Kind: record.KindCommand, ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Value: &record.ProcessInstanceCreationValue{}},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementActivating, Value: pi},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementActivated, Value: pi},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementActivated, Value: start},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementCompleted, Value: start},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementActivated, Value: task},
		{Kind: record.KindEvent, ValueType: record.TypeJob, Intent: record.IntentJobCreated, Key: 7, Value: job},
		{Kind: record.KindEvent, ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivated, Value: &record.JobBatchValue{Type: "w1-work", JobKeys: []int64{7}}},
		{Kind: record.KindCommand, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Value: job},
		{Kind: record.KindEvent, ValueType: record.TypeJob, Intent: record.IntentJobCompleted, Key: 7, Value: job},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementCompleted, Value: task},
		{Kind: record.KindEvent, ValueType: record.TypeProcessInstance, Intent: record.IntentElementCompleted, Value: pi},
	}
	batch := &store.Batch{Records: recs}
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveCommit(batch, time.Millisecond, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
