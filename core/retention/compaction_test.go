package retention_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/retention"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

// logFixture commits W1 commands to a memory store, one batch each, at the
// manual clock's time.
type logFixture struct {
	t   *testing.T
	s   *memstore.Store
	p   *engine.Processor
	clk *clock.Manual
}

func newLogFixture(t *testing.T, archive store.LogArchive) *logFixture {
	t.Helper()
	f := &logFixture{t: t, s: memstore.New(memstore.Options{LogArchive: archive}),
		p:   engine.NewProcessor(1, engine.NewState(standard.Registry()), standard.Registry()),
		clk: clock.NewManual(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))}
	xml, err := os.ReadFile("../engine/testdata/w1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	f.do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}})
	return f
}

func (f *logFixture) do(cmd *record.Record) {
	f.t.Helper()
	cmd.Timestamp = f.clk.Now().UnixMilli()
	res, err := f.p.Process(cmd)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.s.Commit(context.Background(), &store.Batch{Records: res.Records, Changes: f.p.State().TakeChanges()}); err != nil {
		f.t.Fatal(err)
	}
}

// create commits n instance creations, one batch each.
func (f *logFixture) create(n int) {
	for range n {
		f.do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "w1"}})
	}
}

type logObserver struct {
	mu          sync.Mutex
	checkpoints []store.CheckpointInfo
	removed     int64
	archived    int64
	firstKept   int64
}

func (o *logObserver) ObserveLogCheckpoint(info store.CheckpointInfo, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.checkpoints = append(o.checkpoints, info)
}

func (o *logObserver) ObserveLogCompaction(res store.CompactResult, archived bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.removed += res.Removed
	if archived {
		o.archived += res.Removed
	}
	o.firstKept = res.Anchor.Position + 1
}

func TestLogStepCheckpointsThenCompactsWhatIsOlderThanTheTTL(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	arch, err := logarchive.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newLogFixture(t, arch)
	f.create(10) // 11 batches at t0
	obs := &logObserver{}
	cfg := retention.Config{LogTTL: time.Hour, Interval: time.Minute}
	r, err := retention.NewRunner(cfg, f.clk, nil, nil, retention.LogStep(f.s, cfg, arch, obs, 4, 0))
	if err != nil {
		t.Fatal(err)
	}
	// The first run takes the first checkpoint; nothing is an hour old.
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 0 || len(obs.checkpoints) != 1 || obs.checkpoints[0].Position != f.p.State().LastPosition() {
		t.Fatalf("first run removed %d, checkpoints %+v", got, obs.checkpoints)
	}
	firstCheckpoint := obs.checkpoints[0].Position
	// Twenty minutes later: no new checkpoint is due yet (every 30 minutes
	// for an hour's TTL), nothing is old enough.
	f.clk.Advance(20 * time.Minute)
	f.create(3)
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 0 || len(obs.checkpoints) != 1 {
		t.Fatalf("second run removed %d, checkpoints %d", got, len(obs.checkpoints))
	}
	// Two hours later: a new checkpoint at the head, and the first 11
	// batches (the hour-old ones before it) go, 4 per batch.
	f.clk.Advance(2 * time.Hour)
	f.create(2)
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 11+3 || len(obs.checkpoints) != 2 {
		t.Fatalf("third run removed %d segments, checkpoints %+v; want 14 and a second checkpoint", got, obs.checkpoints)
	}
	st, err := f.s.LogStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Anchor.Position <= firstCheckpoint || obs.firstKept != st.Anchor.Position+1 || obs.archived != 14 {
		t.Fatalf("status %+v, observer %+v", st, obs)
	}
	if err := replaycheck.Check(ctx, f.s); err != nil {
		t.Fatal(err)
	}
	if err := replaycheck.FromCheckpoint(ctx, f.s); err != nil {
		t.Fatal(err)
	}
}

func TestLogStepWithoutTTLKeepsTheLog(t *testing.T) {
	f := newLogFixture(t, nil)
	f.create(5)
	cfg := retention.Config{Interval: time.Minute}
	r, err := retention.NewRunner(cfg, f.clk, nil, nil, retention.LogStep(f.s, cfg, nil, nil, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(1000 * time.Hour)
	if got := r.RunOnce(context.Background())[retention.StepLog]; got != 0 {
		t.Fatalf("removed %d segments with log_ttl 0", got)
	}
	if st, _ := f.s.LogStatus(context.Background()); st.Checkpoint.Position != 0 || st.Anchor.Position != 0 {
		t.Fatalf("status %+v: want no checkpoint and no compaction", st)
	}
}

func TestCheckpointDue(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cp := store.CheckpointInfo{Position: 100, Time: t0}
	for _, tc := range []struct {
		name string
		st   store.LogStatus
		now  time.Time
		want bool
	}{
		{"no checkpoint yet", store.LogStatus{Head: 5}, t0, true},
		{"empty log", store.LogStatus{}, t0, false},
		{"nothing committed since", store.LogStatus{Head: 100, Checkpoint: cp}, t0.Add(24 * time.Hour), false},
		{"recent and close", store.LogStatus{Head: 200, Checkpoint: cp}, t0.Add(10 * time.Minute), false},
		{"half the ttl passed", store.LogStatus{Head: 200, Checkpoint: cp}, t0.Add(30 * time.Minute), true},
		{"far behind the head", store.LogStatus{Head: 100 + retention.CheckpointEveryPositions, Checkpoint: cp}, t0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retention.CheckpointDue(tc.st, time.Hour, tc.now); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
