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
	// Nothing is an hour old: a checkpoint would let compaction remove
	// nothing, so none is taken (restarts read the rows, not checkpoints).
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 0 || len(obs.checkpoints) != 0 {
		t.Fatalf("first run removed %d, checkpoints %+v", got, obs.checkpoints)
	}
	// Twenty minutes later: still nothing old enough.
	f.clk.Advance(20 * time.Minute)
	f.create(3)
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 0 || len(obs.checkpoints) != 0 {
		t.Fatalf("second run removed %d, checkpoints %d", got, len(obs.checkpoints))
	}
	// Two hours later: the oldest segments are older than the TTL, so a
	// checkpoint at the head is due, and the 14 hour-old batches before it
	// go, 4 per batch; the 2 new ones stay.
	f.clk.Advance(2 * time.Hour)
	f.create(2)
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 11+3 || len(obs.checkpoints) != 1 || obs.checkpoints[0].Position != f.p.State().LastPosition() {
		t.Fatalf("third run removed %d segments, checkpoints %+v; want 14 and a checkpoint at the head", got, obs.checkpoints)
	}
	firstCheckpoint := obs.checkpoints[0].Position
	// Half an hour later, with more committed: nothing after the
	// checkpoint is an hour old, so no checkpoint (the old policy took one
	// every half TTL).
	f.clk.Advance(30 * time.Minute)
	f.create(2)
	if got := r.RunOnce(ctx)[retention.StepLog]; got != 0 || len(obs.checkpoints) != 1 {
		t.Fatalf("fourth run removed %d, checkpoints %+v", got, obs.checkpoints)
	}
	st, err := f.s.LogStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Anchor.Position >= firstCheckpoint || obs.firstKept != st.Anchor.Position+1 || obs.archived != 14 {
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
	old := store.SegmentInfo{LastPosition: 150, End: t0}
	for _, tc := range []struct {
		name string
		st   store.LogStatus
		now  time.Time
		want bool
	}{
		{"empty log", store.LogStatus{}, t0, false},
		{"no checkpoint yet, nothing old", store.LogStatus{Head: 200, Uncovered: old}, t0.Add(30 * time.Minute), false},
		{"no checkpoint yet, a segment older than the ttl", store.LogStatus{Head: 200, Uncovered: old}, t0.Add(61 * time.Minute), true},
		{"nothing committed since", store.LogStatus{Head: 100, Checkpoint: cp}, t0.Add(24 * time.Hour), false},
		{"recent and close", store.LogStatus{Head: 200, Checkpoint: cp, Uncovered: old}, t0.Add(10 * time.Minute), false},
		// The old policy took one every half TTL: it let compaction remove
		// nothing more.
		{"half the ttl passed", store.LogStatus{Head: 200, Checkpoint: cp, Uncovered: old}, t0.Add(30 * time.Minute), false},
		{"exactly the ttl", store.LogStatus{Head: 200, Checkpoint: cp, Uncovered: old}, t0.Add(time.Hour), false},
		{"the segment after it is older than the ttl", store.LogStatus{Head: 200, Checkpoint: cp, Uncovered: old}, t0.Add(time.Hour + time.Millisecond), true},
		// The old policy took one every million positions: at full load
		// every few seconds, each a read of the whole live state, while
		// restarts read the rows and compaction could remove nothing more.
		{"far behind the head, young", store.LogStatus{Head: 100 + 5_000_000, Checkpoint: cp, Uncovered: old}, t0.Add(time.Minute), false},
		// Compaction never removes the last segment: a checkpoint would
		// not help.
		{"only the last segment is old", store.LogStatus{Head: 150, Checkpoint: cp, Uncovered: old}, t0.Add(24 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retention.CheckpointDue(tc.st, time.Hour, tc.now); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
