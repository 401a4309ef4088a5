package memstore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// compaction is the memory store's log compaction: its segments are its
// committed batches, whose chain hashes are computed when they are
// removed (the memory store keeps no hash chain while they are live).
type compaction struct {
	batchStarts []int64 // first position of each batch still in the log
	anchor      store.Anchor
	checkpoints []memCheckpoint // oldest first
}

type memCheckpoint struct {
	info store.CheckpointInfo
	data []byte // tables.EncodeCheckpoint, as the SQL stores keep it
}

// WriteCheckpoint implements store.LogCompactor.
func (s *Store) WriteCheckpoint(_ context.Context, at time.Time) (store.CheckpointInfo, error) {
	return s.writeCheckpoint(&s.partLog, whole, at)
}

// writeCheckpoint writes a checkpoint of partition in, whose log is pl.
func (s *Store) writeCheckpoint(pl *partLog, in part, at time.Time) (store.CheckpointInfo, error) {
	snap, err := s.load(pl, in)
	if err != nil {
		return store.CheckpointInfo{}, fmt.Errorf("take a checkpoint: %w", err)
	}
	data, size, err := tables.EncodeCheckpoint(snap)
	if err != nil {
		return store.CheckpointInfo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pl.logEnd == store.PositionBase(in.p) || s.opts.DiscardLog {
		return store.CheckpointInfo{}, nil
	}
	if !pl.batchEndsAt(snap.LastPosition) {
		return store.CheckpointInfo{}, fmt.Errorf("take a checkpoint: no batch of the log ends at the state's position %d", snap.LastPosition)
	}
	info := store.CheckpointInfo{Position: snap.LastPosition, Time: at.UTC().Truncate(time.Millisecond),
		StateBytes: size, StoredBytes: int64(len(data))}
	c := &pl.compaction
	if n := len(c.checkpoints); n > 0 && c.checkpoints[n-1].info.Position >= info.Position {
		return c.checkpoints[n-1].info, nil
	}
	c.checkpoints = append(c.checkpoints, memCheckpoint{info: info, data: data})
	if n := len(c.checkpoints); n > tables.KeepCheckpoints {
		c.checkpoints = append([]memCheckpoint(nil), c.checkpoints[n-tables.KeepCheckpoints:]...)
	}
	return info, nil
}

// batchEndsAt reports whether a committed batch ends at position p.
func (pl *partLog) batchEndsAt(p int64) bool {
	if p == pl.compaction.anchor.Position || p == pl.logEnd {
		return true
	}
	starts := pl.compaction.batchStarts
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > p })
	return i < len(starts) && starts[i] == p+1
}

// LogCheckpoint implements store.LogCompactor.
func (s *Store) LogCheckpoint(_ context.Context) (store.Checkpoint, bool, error) {
	return s.logCheckpoint(&s.partLog)
}

func (s *Store) logCheckpoint(pl *partLog) (store.Checkpoint, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.Checkpoint{}, false, store.ErrClosed
	}
	n := len(pl.compaction.checkpoints)
	if n == 0 {
		return store.Checkpoint{}, false, nil
	}
	cp := pl.compaction.checkpoints[n-1]
	snap, err := tables.DecodeCheckpoint(cp.data)
	if err != nil {
		return store.Checkpoint{}, false, err
	}
	return store.Checkpoint{CheckpointInfo: cp.info, State: snap}, true, nil
}

// LogStatus implements store.LogCompactor.
func (s *Store) LogStatus(_ context.Context) (store.LogStatus, error) {
	return s.logStatus(&s.partLog)
}

func (s *Store) logStatus(pl *partLog) (store.LogStatus, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.LogStatus{}, store.ErrClosed
	}
	st := store.LogStatus{Anchor: pl.compaction.anchor, Head: pl.lastPosition}
	if n := len(pl.compaction.checkpoints); n > 0 {
		st.Checkpoint = pl.compaction.checkpoints[n-1].info
	}
	after := max(st.Anchor.Position, st.Checkpoint.Position)
	starts := pl.compaction.batchStarts
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > after })
	if i < len(starts) && len(pl.log) > 0 {
		last := pl.logEnd
		if i+1 < len(starts) {
			last = starts[i+1] - 1
		}
		if k := last - pl.log[0].Position; k >= 0 && k < int64(len(pl.log)) && pl.log[k].Position == last {
			st.Uncovered = store.SegmentInfo{LastPosition: last, End: time.UnixMilli(pl.log[k].Timestamp).UTC()}
		}
	}
	return st, nil
}

// CompactLog implements store.LogCompactor. The archive is written while
// the store is locked: the memory store serves tests, not load.
func (s *Store) CompactLog(ctx context.Context, req store.CompactRequest) (store.CompactResult, error) {
	return s.compactLog(ctx, &s.partLog, req)
}

func (s *Store) compactLog(ctx context.Context, pl *partLog, req store.CompactRequest) (store.CompactResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &pl.compaction
	res := store.CompactResult{Anchor: c.anchor}
	if s.closed {
		return res, store.ErrClosed
	}
	if len(c.checkpoints) == 0 || len(c.batchStarts) < 2 {
		return res, nil
	}
	limit := req.Limit
	if limit <= 0 {
		limit = tables.DefaultCompactLimit
	}
	// Never the last batch, never past the newest checkpoint.
	through := min(c.checkpoints[len(c.checkpoints)-1].info.Position, c.batchStarts[len(c.batchStarts)-1]-1)
	if floor, ok := s.inboxFloor(pl); ok {
		through = min(through, floor) // never a command another partition has not applied
	}
	before := req.Before.UnixMilli()
	prev, err := hashOf(c.anchor.Hash)
	if err != nil {
		return res, err
	}
	var segs []store.ArchivedSegment
	end := 0 // records of the log removed
	done := false
	for b := 0; b < len(c.batchStarts)-1 && len(segs) < limit; b++ {
		last := c.batchStarts[b+1] - 1
		if last > through {
			break
		}
		k := end + int(last-c.batchStarts[b]+1)
		recs := pl.log[end:k]
		if recs[len(recs)-1].Timestamp >= before {
			done = true
			break
		}
		rows, err := tables.EncodeSegment(recs, prev)
		if err != nil {
			return res, fmt.Errorf("compact the log: %w", err)
		}
		seg := rows.Segment()
		prev, _ = hashOf(seg.Hash)
		segs = append(segs, seg)
		res.Records += seg.Records
		res.Bytes += int64(len(seg.Data))
		end = k
	}
	if len(segs) == 0 {
		return res, nil
	}
	if req.Archive != nil {
		if err := req.Archive.WriteSegments(ctx, segs); err != nil {
			return res, fmt.Errorf("archive log segments %d..%d: %w", segs[0].FirstPosition, segs[len(segs)-1].LastPosition, err)
		}
	}
	last := segs[len(segs)-1]
	c.anchor = store.Anchor{Position: last.LastPosition, Hash: last.Hash}
	pl.log = append([]*record.Record(nil), pl.log[end:]...)
	c.batchStarts = append([]int64(nil), c.batchStarts[len(segs):]...)
	keep := c.checkpoints[:0]
	for _, cp := range c.checkpoints {
		if cp.info.Position >= c.anchor.Position {
			keep = append(keep, cp)
		}
	}
	c.checkpoints = keep
	res.Removed, res.Anchor = int64(len(segs)), c.anchor
	res.More = len(segs) == limit && !done
	return res, nil
}

func hashOf(b []byte) (tables.Hash, error) {
	var h tables.Hash
	if len(b) != 0 && len(b) != len(h) {
		return h, fmt.Errorf("the anchor's hash has %d bytes", len(b))
	}
	copy(h[:], b)
	return h, nil
}

// Interface guard
var _ store.LogCompactor = (*Store)(nil)
