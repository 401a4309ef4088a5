package storesuite

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/logarchive"
)

// Tampering is what CompactionStore.Tamper changes behind the store's back.
type Tampering int

// Tamperings.
const (
	// TamperFirstSegment changes the stored data of the first segment the
	// log still holds (one byte appended).
	TamperFirstSegment Tampering = 1
	// TamperAnchor changes the anchor's hash (its first byte flipped).
	TamperAnchor Tampering = 2
)

// CompactionStore is how RunCompaction opens and damages one kind of store.
type CompactionStore struct {
	// Open returns a new, empty store reading archived records from
	// archive (nil: none); the suite closes it.
	Open func(t *testing.T, archive store.LogArchive) store.Store
	// Tamper changes the store's tables directly; nil for a store without
	// a hash chain.
	Tamper func(t *testing.T, s store.Store, what Tampering)
}

// RunCompaction runs the log compaction contract (store.LogCompactor) on a
// store: checkpoints, compaction with and without an archive, ReadLog,
// replaycheck and the hash chain afterwards.
func RunCompaction(t *testing.T, c CompactionStore) {
	t.Helper()
	t.Run("WithoutArchive", func(t *testing.T) { t.Parallel(); compactWithoutArchive(t, c) })
	t.Run("WithArchive", func(t *testing.T) { t.Parallel(); compactWithArchive(t, c) })
	t.Run("NothingBeforeACheckpoint", func(t *testing.T) { t.Parallel(); compactNeedsACheckpoint(t, c) })
	t.Run("StatusNamesTheOldestUncoveredSegment", func(t *testing.T) { t.Parallel(); statusNamesUncovered(t, c) })
}

// statusNamesUncovered checks LogStatus.Uncovered, which the retention
// runner's checkpoint policy reads: the oldest segment after the newest
// checkpoint (after the anchor without one), with its last record's time.
func statusNamesUncovered(t *testing.T, c CompactionStore) {
	ctx := context.Background()
	st := c.Open(t, nil)
	t.Cleanup(func() { _ = st.Close() })
	lc, ok := st.(store.LogCompactor)
	if !ok {
		t.Fatalf("%T is not a store.LogCompactor", st)
	}
	w := newWorkload(t, 13, st)
	w.run(30)
	want := func(last int64) store.SegmentInfo {
		for _, r := range w.log {
			if r.Position == last {
				return store.SegmentInfo{LastPosition: last, End: time.UnixMilli(r.Timestamp).UTC()}
			}
		}
		t.Fatalf("no record at position %d", last)
		return store.SegmentInfo{}
	}
	check := func(what string, wantSeg store.SegmentInfo) {
		t.Helper()
		got, err := lc.LogStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Uncovered.LastPosition != wantSeg.LastPosition || !got.Uncovered.End.Equal(wantSeg.End) {
			t.Fatalf("%s: uncovered %+v, want %+v", what, got.Uncovered, wantSeg)
		}
	}
	check("no checkpoint", want(w.batches[0]))
	cp, err := lc.WriteCheckpoint(ctx, time.UnixMilli(w.now))
	if err != nil {
		t.Fatal(err)
	}
	check("checkpoint at the head", store.SegmentInfo{})
	w.now += time.Hour.Milliseconds()
	first := len(w.batches)
	w.run(20)
	if w.batches[first-1] != cp.Position {
		t.Fatalf("checkpoint at %d, last batch before it ends at %d", cp.Position, w.batches[first-1])
	}
	check("after the checkpoint", want(w.batches[first]))
}

// compactionFixture is a store with three phases of a workload committed:
// old (before checkpoint A), newer (two days later, before checkpoint B)
// and recent (after B).
type compactionFixture struct {
	st         store.Store
	lc         store.LogCompactor
	w          *workload
	oldEnd     int64     // position of checkpoint A
	newerEnd   int64     // position of checkpoint B
	oldBefore  time.Time // after every old record, before every newer one
	afterNewer time.Time // after every record
}

func newCompactionFixture(t *testing.T, c CompactionStore, archive store.LogArchive) *compactionFixture {
	t.Helper()
	st := c.Open(t, archive)
	t.Cleanup(func() { _ = st.Close() })
	lc, ok := st.(store.LogCompactor)
	if !ok {
		t.Fatalf("%T is not a store.LogCompactor", st)
	}
	ctx := context.Background()
	f := &compactionFixture{st: st, lc: lc, w: newWorkload(t, 7, st)}
	f.w.run(150)
	f.oldEnd = f.w.batches[len(f.w.batches)-1]
	cp, err := lc.WriteCheckpoint(ctx, time.UnixMilli(f.w.now))
	if err != nil {
		t.Fatal(err)
	}
	if cp.Position != f.oldEnd || cp.StateBytes <= 0 || cp.StoredBytes <= 0 {
		t.Fatalf("checkpoint %+v: want position %d and its sizes", cp, f.oldEnd)
	}
	f.oldBefore = time.UnixMilli(f.w.now + 1)
	f.w.now += (48 * time.Hour).Milliseconds()
	f.w.run(100)
	f.newerEnd = f.w.batches[len(f.w.batches)-1]
	f.afterNewer = time.UnixMilli(f.w.now + 1)
	if _, err := lc.WriteCheckpoint(ctx, time.UnixMilli(f.w.now)); err != nil {
		t.Fatal(err)
	}
	f.w.now += (48 * time.Hour).Milliseconds()
	f.w.run(60)
	return f
}

// compactAll compacts in batches of limit until nothing more is due.
func (f *compactionFixture) compactAll(t *testing.T, before time.Time, limit int, archive store.ArchiveWriter) (removed int64, calls int) {
	t.Helper()
	for {
		res, err := f.lc.CompactLog(context.Background(), store.CompactRequest{Before: before, Limit: limit, Archive: archive})
		if err != nil {
			t.Fatal(err)
		}
		calls++
		if res.Removed > int64(limit) {
			t.Fatalf("one call removed %d segments, more than its limit %d", res.Removed, limit)
		}
		removed += res.Removed
		if !res.More {
			return removed, calls
		}
	}
}

// batchesThrough counts the committed batches ending at or before p.
func (f *compactionFixture) batchesThrough(p int64) int64 {
	n := int64(0)
	for _, b := range f.w.batches {
		if b <= p {
			n++
		}
	}
	return n
}

// records returns the workload's records from position from on.
func (f *compactionFixture) records(from int64) []*record.Record {
	for i, r := range f.w.log {
		if r.Position >= from {
			return f.w.log[i:]
		}
	}
	return nil
}

func (f *compactionFixture) status(t *testing.T) store.LogStatus {
	t.Helper()
	st, err := f.lc.LogStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (f *compactionFixture) verify(t *testing.T) store.ChainReport {
	t.Helper()
	v, ok := f.st.(store.ChainVerifier)
	if !ok {
		return store.ChainReport{}
	}
	rep, err := v.VerifyChain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func compactWithoutArchive(t *testing.T, c CompactionStore) {
	ctx := context.Background()
	f := newCompactionFixture(t, c, nil)
	head := f.w.log[len(f.w.log)-1].Position
	if st := f.status(t); st.Anchor.Position != 0 || st.Checkpoint.Position != f.newerEnd || st.Head != head {
		t.Fatalf("status before compaction %+v: want no anchor, checkpoint %d, head %d", st, f.newerEnd, head)
	}
	// Only the old phase is older than oldBefore: compaction stops at its
	// end although the newest checkpoint is later.
	removed, calls := f.compactAll(t, f.oldBefore, 3, nil)
	if want := f.batchesThrough(f.oldEnd); removed != want || calls < 2 {
		t.Fatalf("removed %d segments in %d calls, want %d in several", removed, calls, want)
	}
	st := f.status(t)
	if st.Anchor.Position != f.oldEnd || st.FirstPosition() != f.oldEnd+1 {
		t.Fatalf("anchor %+v, want position %d", st.Anchor, f.oldEnd)
	}
	if c.Tamper != nil && len(st.Anchor.Hash) != 32 {
		t.Fatalf("anchor hash %x: want the last removed segment's", st.Anchor.Hash)
	}
	// Reading from before the first kept position is an error naming it.
	for _, from := range []int64{0, 1, f.oldEnd} {
		err := f.st.ReadLog(ctx, from, func(*record.Record) error { return nil })
		var ce *store.CompactedError
		if !errors.As(err, &ce) || !errors.Is(err, store.ErrCompacted) || ce.FirstAvailable != f.oldEnd+1 {
			t.Fatalf("ReadLog from %d: got %v, want a *store.CompactedError with first available position %d", from, err, f.oldEnd+1)
		}
	}
	var got []*record.Record
	if err := f.st.ReadLog(ctx, f.oldEnd+1, func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, got, f.records(f.oldEnd+1))
	// The audit search says so too, and goes on from the first position.
	if aq, ok := f.st.(store.AuditQuerier); ok {
		if _, err := aq.SearchAudit(ctx, store.AuditQuery{}); !errors.Is(err, store.ErrCompacted) {
			t.Fatalf("audit search from the start: %v, want store.ErrCompacted", err)
		}
		if _, err := aq.SearchAudit(ctx, store.AuditQuery{After: f.oldEnd}); err != nil {
			t.Fatalf("audit search from the first kept position: %v", err)
		}
	}
	if err := replaycheck.Check(ctx, f.st); err != nil {
		t.Fatalf("replaycheck after compaction: %v", err)
	}
	if rep := f.verify(t); c.Tamper != nil && (rep.Broken != nil || rep.AnchorPosition != f.oldEnd || rep.LastPosition != head) {
		t.Fatalf("chain after compaction: %+v", rep)
	}
	// Compacting again with a later time goes up to the newest checkpoint.
	f.compactAll(t, f.afterNewer, 1000, nil)
	if st := f.status(t); st.Anchor.Position != f.newerEnd || st.Checkpoint.Position != f.newerEnd {
		t.Fatalf("status %+v: want anchor and checkpoint at %d", st, f.newerEnd)
	}
	if err := replaycheck.FromCheckpoint(ctx, f.st); err != nil {
		t.Fatal(err)
	}
	// Nothing is due any more; the last segment always stays.
	if res, err := f.lc.CompactLog(ctx, store.CompactRequest{Before: f.afterNewer.Add(1000 * time.Hour)}); err != nil || res.Removed != 0 {
		t.Fatalf("compaction past the newest checkpoint: %+v, %v", res, err)
	}
	if c.Tamper == nil {
		return
	}
	c.Tamper(t, f.st, TamperFirstSegment)
	if rep := f.verify(t); rep.Broken == nil || rep.Broken.Problem != store.ChainHashMismatch || rep.Broken.FirstPosition != f.newerEnd+1 {
		t.Fatalf("a tampered first kept segment: chain report %+v, want a hash mismatch at %d", rep.Broken, f.newerEnd+1)
	}
}

func compactWithArchive(t *testing.T, c CompactionStore) {
	ctx := context.Background()
	arch, err := logarchive.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newCompactionFixture(t, c, arch)
	removed, _ := f.compactAll(t, f.afterNewer, 4, arch)
	if want := f.batchesThrough(f.newerEnd); removed != want {
		t.Fatalf("removed %d segments, want %d", removed, want)
	}
	st := f.status(t)
	if st.Anchor.Position != f.newerEnd {
		t.Fatalf("anchor %+v, want position %d", st.Anchor, f.newerEnd)
	}
	// A run that crashed after archiving and before deleting leaves a file
	// that overlaps the next run's: readers take each segment once.
	var dup []store.ArchivedSegment
	if err := eachArchived(ctx, arch, func(s store.ArchivedSegment) { dup = append(dup, s) }); err != nil {
		t.Fatal(err)
	}
	if len(dup) < 3 {
		t.Fatalf("the archive holds %d segments, want several", len(dup))
	}
	if err := arch.WriteSegments(ctx, dup[1:3]); err != nil {
		t.Fatal(err)
	}
	// The store reads the archive for the compacted positions.
	sameRecords(t, readAll(t, f.st), f.w.log)
	if aq, ok := f.st.(store.AuditQuerier); ok {
		if _, err := aq.SearchAudit(ctx, store.AuditQuery{}); err != nil {
			t.Fatalf("audit search through the archive: %v", err)
		}
	}
	var got []*record.Record
	if err := f.st.ReadLog(ctx, f.oldEnd, func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, got, f.records(f.oldEnd))
	if err := replaycheck.Check(ctx, f.st); err != nil {
		t.Fatalf("replaycheck through the archive: %v", err)
	}
	if err := replaycheck.FromCheckpoint(ctx, f.st); err != nil {
		t.Fatalf("replaycheck from the checkpoint: %v", err)
	}
	if c.Tamper == nil {
		return
	}
	rep, err := arch.Verify(ctx, 1, st.Anchor)
	if err != nil || rep.Broken != nil || rep.LastPosition != f.newerEnd {
		t.Fatalf("archive chain: %+v, %v", rep, err)
	}
	if rep := f.verify(t); rep.Broken != nil {
		t.Fatalf("store chain: %+v", rep.Broken)
	}
	// A changed anchor: the first kept segment no longer follows it, and
	// the archive no longer ends at it.
	c.Tamper(t, f.st, TamperAnchor)
	if rep := f.verify(t); rep.Broken == nil || rep.Broken.Problem != store.ChainHashMismatch || rep.Broken.FirstPosition != f.newerEnd+1 {
		t.Fatalf("a tampered anchor: store chain report %+v, want a hash mismatch at %d", rep.Broken, f.newerEnd+1)
	}
	anchor := f.status(t).Anchor
	if bytes.Equal(anchor.Hash, st.Anchor.Hash) {
		t.Fatal("Tamper did not change the anchor")
	}
	rep, err = arch.Verify(ctx, 1, anchor)
	if err != nil || rep.Broken == nil || rep.Broken.Problem != store.ChainAnchorMismatch {
		t.Fatalf("a tampered anchor: archive report %+v, %v; want an anchor mismatch", rep.Broken, err)
	}
}

// eachArchived lists the archive's segments, once each.
func eachArchived(ctx context.Context, a *logarchive.Archive, fn func(store.ArchivedSegment)) error {
	return a.Segments(ctx, 1, func(s store.ArchivedSegment) error { fn(s); return nil })
}

func compactNeedsACheckpoint(t *testing.T, c CompactionStore) {
	ctx := context.Background()
	st := c.Open(t, nil)
	t.Cleanup(func() { _ = st.Close() })
	lc := st.(store.LogCompactor)
	if cp, err := lc.WriteCheckpoint(ctx, time.UnixMilli(epoch)); err != nil || cp.Position != 0 {
		t.Fatalf("checkpoint of an empty log: %+v, %v; want none", cp, err)
	}
	if _, ok, err := lc.LogCheckpoint(ctx); ok || err != nil {
		t.Fatalf("LogCheckpoint of an empty store: %v, %v", ok, err)
	}
	w := newWorkload(t, 9, st)
	w.run(80)
	res, err := lc.CompactLog(ctx, store.CompactRequest{Before: time.UnixMilli(w.now).Add(time.Hour)})
	if err != nil || res.Removed != 0 {
		t.Fatalf("compaction without a checkpoint: %+v, %v; want nothing removed", res, err)
	}
	sameRecords(t, readAll(t, st), w.log)
	// A checkpoint at the head: everything but the last segment may go,
	// and the commits after it chain on.
	if _, err := lc.WriteCheckpoint(ctx, time.UnixMilli(w.now)); err != nil {
		t.Fatal(err)
	}
	cp, ok, err := lc.LogCheckpoint(ctx)
	if err != nil || !ok || cp.Position != w.log[len(w.log)-1].Position {
		t.Fatalf("checkpoint %+v, %v, %v", cp.CheckpointInfo, ok, err)
	}
	// The checkpoint's state is what Load returns.
	sameSnapshot(t, cp.State, snapshot(t, st))
	res, err = lc.CompactLog(ctx, store.CompactRequest{Before: time.UnixMilli(w.now).Add(time.Hour), Limit: 1000})
	if err != nil || res.Removed != int64(len(w.batches)-1) {
		t.Fatalf("compaction up to the head: %+v, %v; want %d segments removed", res, err, len(w.batches)-1)
	}
	w.run(30)
	if err := replaycheck.Check(ctx, st); err != nil {
		t.Fatal(err)
	}
	if v, ok := st.(store.ChainVerifier); ok {
		rep, err := v.VerifyChain(ctx)
		if err != nil || rep.Broken != nil {
			t.Fatalf("chain: %+v, %v", rep.Broken, err)
		}
	}
}
