package replaycheck_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// run commits a few W1 instances, one job activated and one completed.
func run(t *testing.T) (*memstore.Store, *engine.Processor) {
	t.Helper()
	xml, err := os.ReadFile("../engine/testdata/w1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	s := memstore.New(memstore.Options{})
	p := engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry())
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	do := func(cmd *record.Record) *engine.Result {
		cmd.Timestamp = now
		res, err := p.Process(cmd)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(context.Background(), &store.Batch{Records: res.Records, Changes: p.State().TakeChanges()}); err != nil {
			t.Fatal(err)
		}
		return res
	}
	do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}})
	for range 3 {
		do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1", Variables: map[string]any{"x": 1.0}}})
	}
	res := do(&record.Record{ValueType: record.TypeJobBatch, Intent: record.IntentJobBatchActivate, Version: 1,
		Value: &record.JobBatchValue{Type: "w1-work", Worker: "w", Timeout: 60000, MaxJobsToActivate: 2}})
	jobs := res.Response.([]engine.ActivatedJob)
	do(&record.Record{Key: jobs[0].Key, ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}})
	return s, p
}

func TestCheckPassesWhenRowsMatchTheLog(t *testing.T) {
	s, _ := run(t)
	if err := replaycheck.Check(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func TestCheckNamesTheRowsThatDiffer(t *testing.T) {
	s, p := run(t)
	st := p.State()
	snap, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Rows written without a record: a job that went back to activatable,
	// an element with another start time, and a variable nobody created.
	var j state.Job
	for _, jj := range snap.Jobs {
		if jj.State == state.JobActivated {
			j = jj
		}
	}
	j.State = state.JobActivatable
	e := snap.Elements[0]
	e.StartTime++
	bad := &store.Batch{Changes: state.Changes{Jobs: []state.Job{j}, Elements: []state.ElementRow{e},
		Variables: []state.VariableRow{{Key: 999, ScopeKey: e.Key, ProcessInstanceKey: e.Value.ProcessInstanceKey, Name: "ghost", Value: true}},
		LastKey:   st.LastKey(), LastPosition: st.LastPosition()}}
	if err := s.Commit(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	err = replaycheck.Check(context.Background(), s)
	var m *replaycheck.Mismatch
	if !errors.As(err, &m) {
		t.Fatalf("got %v, want a *replaycheck.Mismatch", err)
	}
	msg := err.Error()
	for _, want := range []string{"elements ", "differs in StartTime", "jobs ", "differs in State", "variables 999: only in the stored rows"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not mention %q: %s", want, msg)
		}
	}
	if len(msg) > 600 {
		t.Errorf("the error is %d bytes long; it must name rows, not dump them: %s", len(msg), msg)
	}
}

func TestCheckReportsCountersAndStopsAfterAFewDiffs(t *testing.T) {
	s, p := run(t)
	st := p.State()
	snap, err := s.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var vars []state.VariableRow
	for i := range 10 {
		vars = append(vars, state.VariableRow{Key: int64(1000 + i), ScopeKey: snap.Elements[0].Key, Name: "v" + string(rune('a'+i)), Value: 1.0})
	}
	if err := s.Commit(context.Background(), &store.Batch{Changes: state.Changes{Variables: vars, LastKey: st.LastKey() + 5, LastPosition: st.LastPosition()}}); err != nil {
		t.Fatal(err)
	}
	var m *replaycheck.Mismatch
	if err := replaycheck.Check(context.Background(), s); !errors.As(err, &m) {
		t.Fatalf("got %v, want a mismatch", err)
	}
	if len(m.Diffs) != 5 || !strings.HasPrefix(m.Diffs[0], "lastKey: log ") {
		t.Fatalf("diffs %q: want 5, the counter first", m.Diffs)
	}
}

type logOnly struct{ store.Store }

func TestCheckNeedsALoaderAndAReadableLog(t *testing.T) {
	s, _ := run(t)
	if err := replaycheck.Check(context.Background(), logOnly{s}); err == nil || !strings.Contains(err.Error(), "no state rows") {
		t.Fatalf("got %v, want an error about the missing rows", err)
	}
	_ = s.Close()
	if err := replaycheck.Check(context.Background(), s); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("got %v, want store.ErrClosed", err)
	}
}

func TestCompareOfEqualStates(t *testing.T) {
	if err := replaycheck.Compare(engine.NewState(standard.Registry()), engine.NewState(standard.Registry())); err != nil {
		t.Fatal(err)
	}
}
