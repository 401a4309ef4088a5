package telemetry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func TestMetrics(t *testing.T) {
	m := telemetry.New()
	m.ObserveCommit(&store.Batch{Records: []*record.Record{{Position: 1}, {Position: 2}}}, time.Millisecond, nil)
	m.ObserveHTTP("/v2/jobs/:jobKey/completion", "POST", 204, time.Millisecond)
	m.ObserveActivation(3, time.Millisecond)
	m.ObserveActivation(0, time.Millisecond) // empty answers are not activations
	m.WatchState(func(context.Context) (state.Gauges, error) {
		return state.Gauges{Activatable: map[string]int{"charge-card": 7}}, nil
	})
	m.WatchQueueDepth(func() int { return 5 })
	m.WatchWaitingPolls(func() map[string]int { return map[string]int{"charge-card": 2} })
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]int{}
	for _, f := range families {
		series[f.GetName()] = len(f.GetMetric())
		if f.GetName() == telemetry.NameJobsActivatable {
			mt := f.GetMetric()[0]
			if mt.GetGauge().GetValue() != 7 || mt.GetLabel()[0].GetValue() != "charge-card" {
				t.Errorf("activatable: %v", mt)
			}
		}
		if f.GetName() == telemetry.NameJobPollsWaiting {
			mt := f.GetMetric()[0]
			if mt.GetGauge().GetValue() != 2 || mt.GetLabel()[0].GetValue() != "charge-card" {
				t.Errorf("polls waiting: %v", mt)
			}
		}
		if f.GetName() == telemetry.NameBatchRecords && f.GetMetric()[0].GetHistogram().GetSampleSum() != 2 {
			t.Errorf("batch records: %v", f.GetMetric()[0])
		}
	}
	for _, name := range []string{telemetry.NameHTTPRequests, telemetry.NameHTTPDuration, telemetry.NameCommitDuration, telemetry.NameBatchRecords,
		telemetry.NameJobActivationDuration, telemetry.NameJobsActivatable, telemetry.NameJobPollsWaiting, telemetry.NameCommandQueueDepth} {
		if series[name] != 1 {
			t.Errorf("%s: %d series, want 1", name, series[name])
		}
		if !strings.HasPrefix(name, "wf_") {
			t.Errorf("%s lacks the wf_ prefix", name)
		}
	}
	var nilMetrics *telemetry.Metrics
	nilMetrics.ObserveHTTP("/x", "GET", 200, time.Millisecond) // a server without metrics
}
