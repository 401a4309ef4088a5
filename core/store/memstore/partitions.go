package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Partition implements store.Partitioned: partition p's view of the store,
// with its own log and counters; the rows are the store's, shared by every
// partition (see store.OwnChanges and store.OwnSnapshot). Partition 1's log
// is the store's own.
func (s *Store) Partition(p int32) (store.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	count := max(s.partitions, 1)
	if err := store.CheckPartition(p, count); err != nil {
		return nil, fmt.Errorf("memstore: %w", err)
	}
	old := s.views[p]
	if old != nil && !old.closed.Load() {
		if old.in.count != count {
			return nil, fmt.Errorf("memstore: partition %d was opened as one of %d before the store kept %d partitions", p, old.in.count, count)
		}
		return old, nil
	}
	v := &view{s: s, in: part{p, count}}
	switch {
	case p == 1:
		v.pl = &s.partLog
	case old != nil:
		v.pl = old.pl // opened again: the partition's log stays
	default:
		v.pl = &partLog{lastKey: store.KeyBase(p), lastPosition: store.PositionBase(p), logEnd: store.PositionBase(p)}
	}
	if s.views == nil {
		s.views = map[int32]*view{}
	}
	s.views[p] = v
	return v, nil
}

// allLogs returns the records of every partition's log, partition after
// partition; the caller holds the lock.
func (s *Store) allLogs() []*record.Record {
	if len(s.views) == 0 {
		return s.log
	}
	out := slices.Clip(s.log)
	for _, p := range slices.Sorted(maps.Keys(s.views)) {
		if p != 1 {
			out = append(out, s.views[p].pl.log...)
		}
	}
	return out
}

// view is one partition of a memory store.
type view struct {
	s      *Store
	in     part
	pl     *partLog // guarded by s.mu
	closed atomic.Bool
}

// Commit implements store.Store: the records go to the partition's log,
// the rows it owns to the store.
func (v *view) Commit(_ context.Context, b *store.Batch) error {
	if v.closed.Load() {
		return store.ErrClosed
	}
	return v.s.commit(v.pl, v.in, b)
}

// ReadLog implements store.Store: the partition's records only.
func (v *view) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	if v.closed.Load() {
		return store.ErrClosed
	}
	if v.in.count > 1 {
		from = max(from, store.PositionBase(v.in.p)+1) // not into the partition before
	}
	return v.s.readLog(ctx, v.pl, from, fn)
}

// Close implements store.Store; the store stays open.
func (v *view) Close() error {
	v.closed.Store(true)
	return nil
}

// Load implements store.Loader: the live rows the partition owns, every
// cluster-wide row and the partition's counters.
func (v *view) Load(_ context.Context) (*state.Snapshot, error) {
	if v.closed.Load() {
		return nil, store.ErrClosed
	}
	return v.s.load(v.pl, v.in)
}

// WriteCheckpoint implements store.LogCompactor for the partition's log.
func (v *view) WriteCheckpoint(_ context.Context, at time.Time) (store.CheckpointInfo, error) {
	if v.closed.Load() {
		return store.CheckpointInfo{}, store.ErrClosed
	}
	return v.s.writeCheckpoint(v.pl, v.in, at)
}

// LogCheckpoint implements store.LogCompactor.
func (v *view) LogCheckpoint(_ context.Context) (store.Checkpoint, bool, error) {
	if v.closed.Load() {
		return store.Checkpoint{}, false, store.ErrClosed
	}
	return v.s.logCheckpoint(v.pl)
}

// LogStatus implements store.LogCompactor.
func (v *view) LogStatus(_ context.Context) (store.LogStatus, error) {
	if v.closed.Load() {
		return store.LogStatus{}, store.ErrClosed
	}
	return v.s.logStatus(v.pl)
}

// CompactLog implements store.LogCompactor for the partition's log.
func (v *view) CompactLog(ctx context.Context, req store.CompactRequest) (store.CompactResult, error) {
	if v.closed.Load() {
		return store.CompactResult{}, store.ErrClosed
	}
	return v.s.compactLog(ctx, v.pl, req)
}

// IdempotencyAnswer implements store.IdempotencyKeys: the answers are the
// store's, whichever partition recorded them.
func (v *view) IdempotencyAnswer(ctx context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	return v.s.IdempotencyAnswer(ctx, keyHash)
}

// ExpireIdempotencyKeys implements store.IdempotencyKeys.
func (v *view) ExpireIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	return v.s.ExpireIdempotencyKeys(ctx, before, limit)
}

// Interface guards
var (
	_ store.Partitioned     = (*Store)(nil)
	_ store.Store           = (*view)(nil)
	_ store.Loader          = (*view)(nil)
	_ store.LogCompactor    = (*view)(nil)
	_ store.IdempotencyKeys = (*view)(nil)
)
