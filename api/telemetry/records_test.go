package telemetry_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/api/telemetry/metricsdoc"
	"github.com/example/wf-engine/connectors/runtime"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// batches tells the metrics of committed batches, numbering their records'
// positions.
type batches struct {
	m   *telemetry.Metrics
	pos int64
}

func (b *batches) commit(recs ...*record.Record) {
	for _, r := range recs {
		b.pos++
		r.Position = b.pos
		if r.Kind == 0 {
			r.Kind = record.KindEvent
		}
		if r.Value != nil {
			r.ValueType = r.Value.ValueType()
		}
	}
	b.m.ObserveCommit(&store.Batch{Records: recs}, time.Millisecond, nil)
}

func ev(key int64, intent record.Intent, ts int64, v record.Value) *record.Record {
	return &record.Record{Key: key, Intent: intent, Timestamp: ts, Value: v}
}

// value returns the value of the series of a family with exactly these
// labels (counter, gauge or histogram sample count), or -1 when it is
// absent.
func value(t *testing.T, m *telemetry.Metrics, name string, labels ...string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if labelsOf(s) != strings.Join(labels, ",") {
				continue
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			case s.Histogram != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func labelsOf(s *dto.Metric) string {
	var out []string
	for _, l := range s.GetLabel() {
		out = append(out, l.GetName()+"="+l.GetValue())
	}
	return strings.Join(out, ",")
}

// A W1-like instance, an incident created and resolved and a timer that
// fires late move the counters by exactly what happened; commands,
// rejections and a failed commit are counted too.
func TestCountersFollowCommittedRecords(t *testing.T) {
	m := telemetry.NewWithOptions(telemetry.Options{Version: "1.2.3"})
	b := &batches{m: m}
	pi := &record.ProcessInstanceValue{BPMNProcessID: "w1", ProcessInstanceKey: 10, ElementID: "w1", BPMNElementType: "PROCESS", FlowScopeKey: -1}
	task := &record.ProcessInstanceValue{BPMNProcessID: "w1", ProcessInstanceKey: 10, ElementID: "work", BPMNElementType: "SERVICE_TASK", FlowScopeKey: 10}
	job := &record.JobValue{Type: "w1-work", BPMNProcessID: "w1", ProcessInstanceKey: 10}
	b.commit(&record.Record{Kind: record.KindCommand, Intent: record.IntentProcessInstanceCreate, Value: &record.ProcessInstanceCreationValue{}},
		ev(10, record.IntentElementActivating, 1000, pi), ev(10, record.IntentElementActivated, 1000, pi),
		ev(11, record.IntentElementActivated, 1000, task), ev(12, record.IntentJobCreated, 1000, job))
	b.commit(ev(13, record.IntentJobBatchActivated, 1750, &record.JobBatchValue{Type: "w1-work", JobKeys: []int64{12}}))
	b.commit(&record.Record{Kind: record.KindRejection, Intent: record.IntentJobComplete, RejectionType: record.RejectionNotFound, Value: &record.JobValue{}},
		ev(12, record.IntentJobCompleted, 2000, job), ev(11, record.IntentElementCompleted, 2000, task), ev(10, record.IntentElementCompleted, 2000, pi))
	inc := &record.IncidentValue{ErrorType: record.ErrorJobNoRetries}
	b.commit(ev(20, record.IntentIncidentCreated, 3000, inc))
	b.commit(ev(20, record.IntentIncidentResolved, 4000, inc))
	b.commit(ev(30, record.IntentTimerCreated, 4000, &record.TimerValue{DueDate: 5000}), ev(30, record.IntentTimerTriggered, 5250, &record.TimerValue{DueDate: 5000}))

	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{telemetry.NameInstancesStarted, []string{"process_id=w1"}, 1},
		{telemetry.NameInstancesCompleted, []string{"process_id=w1"}, 1},
		{telemetry.NameInstancesTerminated, []string{"process_id=w1"}, -1},
		{telemetry.NameElementActivations, []string{"element_type=SERVICE_TASK"}, 1},
		{telemetry.NameElementActivations, []string{"element_type=PROCESS"}, 1},
		{telemetry.NameJobsCreated, []string{"type=w1-work"}, 1},
		{telemetry.NameJobsActivated, []string{"type=w1-work"}, 1},
		{telemetry.NameJobsCompleted, []string{"type=w1-work"}, 1},
		{telemetry.NameJobTimeToActivation, nil, 1},
		{telemetry.NameIncidentsCreated, []string{"error_type=JOB_NO_RETRIES"}, 1},
		{telemetry.NameIncidentsResolved, []string{"error_type=JOB_NO_RETRIES"}, 1},
		{telemetry.NameIncidentsCreated, []string{"error_type=IO_MAPPING_ERROR"}, 0},
		{telemetry.NameTimersScheduled, nil, 1},
		{telemetry.NameTimersFired, nil, 1},
		{telemetry.NameCommands, []string{"intent=CREATE", "value_type=PROCESS_INSTANCE_CREATION"}, 1},
		{telemetry.NameRejections, []string{"intent=COMPLETE", "rejection_type=NOT_FOUND", "value_type=JOB"}, 1},
		{telemetry.NameEvents, []string{"intent=ELEMENT_COMPLETED", "value_type=PROCESS_INSTANCE"}, 2},
		{telemetry.NameLogPosition, nil, float64(b.pos)},
		{telemetry.NameBuildInfo, []string{"go_version=" + goVersion(t, m), "version=1.2.3"}, 1},
	} {
		if got := value(t, m, c.name, c.labels...); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.name, strings.Join(c.labels, ","), got, c.want)
		}
	}
	if got := histogramSum(t, m, telemetry.NameJobTimeToActivation); got != 0.75 {
		t.Errorf("time to activation: sum %v, want 0.75", got)
	}
	if got := histogramSum(t, m, telemetry.NameTimerLag); got != 0.25 {
		t.Errorf("timer lag: sum %v, want 0.25", got)
	}

	m.ObserveCommit(&store.Batch{Records: []*record.Record{ev(99, record.IntentJobCreated, 1, job)}}, time.Millisecond,
		fmt.Errorf("write: %w", store.ErrCommitUnknown))
	if got := value(t, m, telemetry.NameCommitErrors, "outcome=unknown"); got != 1 {
		t.Errorf("commit errors (unknown): %v", got)
	}
	if got := value(t, m, telemetry.NameJobsCreated, "type=w1-work"); got != 1 {
		t.Errorf("a failed commit was counted: jobs created %v", got)
	}
}

func goVersion(t *testing.T, m *telemetry.Metrics) string {
	t.Helper()
	families, _ := m.Registry.Gather()
	for _, f := range families {
		if f.GetName() == telemetry.NameBuildInfo {
			for _, l := range f.GetMetric()[0].GetLabel() {
				if l.GetName() == "go_version" {
					return l.GetValue()
				}
			}
		}
	}
	t.Fatal("no build info")
	return ""
}

func histogramSum(t *testing.T, m *telemetry.Metrics, name string) float64 {
	t.Helper()
	families, _ := m.Registry.Gather()
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleSum()
		}
	}
	return -1
}

// 10,000 distinct job types and process ids take no more label values than
// telemetry.max_label_values, "other" included, and lose no count; so do
// 10,000 types with waiting jobs.
func TestLabelValuesAreBounded(t *testing.T) {
	const limit = 50
	m := telemetry.NewWithOptions(telemetry.Options{MaxLabelValues: limit})
	b := &batches{m: m}
	for i := range 10000 {
		pi := &record.ProcessInstanceValue{BPMNProcessID: fmt.Sprintf("p%d", i), BPMNElementType: "PROCESS", FlowScopeKey: -1}
		b.commit(ev(int64(2*i+1), record.IntentJobCreated, 1, &record.JobValue{Type: fmt.Sprintf("type-%d", i)}),
			ev(int64(2*i+2), record.IntentElementActivated, 1, pi))
	}
	waiting, want := map[string]int{}, 0.0
	for i := range 10000 {
		waiting[fmt.Sprintf("type-%d", i)] = i%7 + 1
		want += float64(i%7 + 1)
	}
	m.WatchState(func(context.Context) (state.Gauges, error) { return state.Gauges{Activatable: waiting}, nil })
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for name, wantTotal := range map[string]float64{telemetry.NameJobsCreated: 10000, telemetry.NameInstancesStarted: 10000, telemetry.NameJobsActivatable: want} {
		var f *dto.MetricFamily
		for _, g := range families {
			if g.GetName() == name {
				f = g
			}
		}
		if f == nil {
			t.Fatalf("%s is missing", name)
		}
		total, other := 0.0, false
		for _, s := range f.GetMetric() {
			total += s.GetCounter().GetValue() + s.GetGauge().GetValue()
			other = other || s.GetLabel()[0].GetValue() == telemetry.Other
		}
		if n := len(f.GetMetric()); n > limit || !other || total != wantTotal {
			t.Errorf("%s: %d label values (limit %d), other=%v, total %v, want %v", name, n, limit, other, total, wantTotal)
		}
	}
}

// documented reads the metric names of docs/metrics.md.
func documented(t *testing.T) map[string]bool {
	t.Helper()
	rows, err := metricsdoc.Read("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range rows {
		out[r.Name] = true
	}
	return out
}

// Every metric this package defines, with every Watch wired and every
// observer called, is in docs/metrics.md, and docs/metrics.md lists
// nothing else but the connector runtime's metrics.
func TestEveryMetricIsDocumented(t *testing.T) {
	m := telemetry.New()
	b := &batches{m: m}
	b.commit(ev(1, record.IntentJobCreated, 1, &record.JobValue{Type: "t"}), ev(2, record.IntentJobTimedOut, 1, &record.JobValue{Type: "t"}),
		ev(3, record.IntentJobFailed, 1, &record.JobValue{Type: "t"}), ev(4, record.IntentJobErrorThrown, 1, &record.JobValue{Type: "t"}),
		ev(5, record.IntentJobCanceled, 1, &record.JobValue{Type: "t"}), ev(6, record.IntentJobCompleted, 1, &record.JobValue{Type: "t"}),
		ev(7, record.IntentJobBatchActivated, 1, &record.JobBatchValue{Type: "t", JobKeys: []int64{1}}),
		ev(8, record.IntentElementActivated, 1, &record.ProcessInstanceValue{BPMNProcessID: "p", BPMNElementType: "PROCESS"}),
		ev(8, record.IntentElementCompleted, 1, &record.ProcessInstanceValue{BPMNProcessID: "p", BPMNElementType: "PROCESS"}),
		ev(9, record.IntentElementTerminated, 1, &record.ProcessInstanceValue{BPMNProcessID: "q", BPMNElementType: "PROCESS"}),
		&record.Record{Kind: record.KindCommand, Intent: record.IntentJobComplete, Value: &record.JobValue{}},
		&record.Record{Kind: record.KindRejection, Intent: record.IntentJobComplete, RejectionType: record.RejectionNotFound, Value: &record.JobValue{}},
		ev(10, record.IntentTimerTriggered, 1, &record.TimerValue{}))
	m.ObserveHTTP("/v2/topology", "GET", 200, time.Millisecond)
	m.ObserveActivation(1, time.Millisecond)
	m.WatchQueueDepth(func() int { return 0 })
	m.WatchWaitingPolls(func() map[string]int { return map[string]int{"t": 1} })
	m.WatchBackpressure(func() telemetry.Backpressure { return telemetry.Backpressure{} })
	m.WatchHeld(func() int { return 0 }, func() map[string]uint64 { return map[string]uint64{"held": 1} })
	m.WatchState(func(context.Context) (state.Gauges, error) {
		return state.Gauges{Activatable: map[string]int{"t": 1}}, nil
	})
	m.WatchDegraded(func() bool { return false })
	m.WatchPool(func() []store.PoolStats { return []store.PoolStats{{Name: "read", Max: 4}} })
	m.Registry.MustRegister(telemetry.NewPluginCollector(func() map[string]telemetry.PluginStatus {
		return map[string]telemetry.PluginStatus{"echo": {Up: true}}
	}))
	m.Registry.MustRegister(telemetry.NewClusterCollector(func() telemetry.ClusterStatus { return telemetry.ClusterStatus{} }))
	m.SetRestoreDuration(time.Second)
	m.ObserveRetentionBatch("instances", 1, time.Millisecond, errors.New("failed"))
	m.ObserveRetentionRun("instances", time.Now(), 0)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	docs := documented(t)
	seen := map[string]bool{}
	for _, f := range families {
		name := f.GetName()
		if !strings.HasPrefix(name, "wf_") {
			continue
		}
		seen[name] = true
		if !docs[name] {
			t.Errorf("%s is not in docs/metrics.md", name)
		}
	}
	for _, name := range []string{runtime.NameExecutions, runtime.NameExecutionDuration, runtime.NameInFlight, runtime.NameActivationErrors, runtime.NameReportErrors} {
		seen[name] = true
	}
	var extra []string
	for name := range docs {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("docs/metrics.md lists metrics nobody defines: %v", extra)
	}
	if len(docs) < 50 {
		t.Errorf("docs/metrics.md lists %d metrics, want at least 50", len(docs))
	}
}

// A definition distributed to the other partitions (ADR 32: partition 1's
// key in another partition's log) is counted once, where it was made.
func TestDistributedDefinitionsCountOnce(t *testing.T) {
	m := telemetry.NewWithOptions(telemetry.Options{})
	created := func(key, position int64) {
		r := ev(key, record.IntentProcessCreated, 1000, &record.ProcessValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: key})
		r.Kind, r.ValueType, r.Position = record.KindEvent, record.TypeProcess, position
		m.ObserveCommit(&store.Batch{Records: []*record.Record{r}}, time.Millisecond, nil)
	}
	key := record.Key(1, 5)
	created(key, 7)                                    // made on partition 1
	created(key, store.PositionBase(2)+3)              // received by partition 2
	created(key, store.PositionBase(4)+9)              // received by partition 4
	created(12, 8)                                     // a key from before partitions, on partition 1
	created(record.Key(3, 2), store.PositionBase(3)+4) // made on partition 3 (its own key)
	if got := value(t, m, telemetry.NameProcessDefinitionsMade); got != 3 {
		t.Fatalf("definitions deployed = %v, want 3 (the received copies not counted)", got)
	}
}

// With several partitions the log position gauges are partition 1's: the
// others' positions, (p-1) << 51 and up, never reach them.
func TestLogPositionIsPartitionOnes(t *testing.T) {
	m := telemetry.NewWithOptions(telemetry.Options{})
	commit := func(position int64) {
		r := ev(1, record.IntentJobCreated, 1000, &record.JobValue{Type: "t"})
		r.Kind, r.ValueType, r.Position = record.KindEvent, record.TypeJob, position
		m.ObserveCommit(&store.Batch{Records: []*record.Record{r}}, time.Millisecond, nil)
	}
	commit(40)
	commit(store.PositionBase(3) + 41)
	m.ObserveLogCompaction(store.CompactResult{Anchor: store.Anchor{Position: 9}}, false)
	m.ObserveLogCompaction(store.CompactResult{Anchor: store.Anchor{Position: store.PositionBase(3) + 30}}, false)
	if got := value(t, m, telemetry.NameLogPosition); got != 40 {
		t.Errorf("log position = %v, want partition 1's 40", got)
	}
	if got := value(t, m, telemetry.NameLogFirstPosition); got != 10 {
		t.Errorf("first log position = %v, want partition 1's 10", got)
	}
}
