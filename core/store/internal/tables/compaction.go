package tables

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// checkpointVersion is the first byte of a checkpoint's data: then the
// CRC-32C (little endian) of the state's JSON and S2's block encoding of
// that JSON (state.Snapshot as encoding/json writes it).
const checkpointVersion = 1

// maxCheckpoint bounds a checkpoint's decompressed size, so that damaged
// data cannot make a reader allocate without limit.
const maxCheckpoint = 1 << 31

// EncodeCheckpoint returns a checkpoint's stored data and the size of its
// state before compression.
func EncodeCheckpoint(snap *state.Snapshot) ([]byte, int64, error) {
	js, err := json.Marshal(snap)
	if err != nil {
		return nil, 0, fmt.Errorf("encode checkpoint: %w", err)
	}
	if len(js) > maxCheckpoint {
		return nil, 0, fmt.Errorf("encode checkpoint: the state takes %d bytes, more than a checkpoint holds (%d)", len(js), maxCheckpoint)
	}
	out := make([]byte, 5, 5+s2.MaxEncodedLen(len(js)))
	out[0] = checkpointVersion
	binary.LittleEndian.PutUint32(out[1:5], crc32.Checksum(js, castagnoli))
	out = append(out, s2.Encode(nil, js)...)
	return out, int64(len(js)), nil
}

// DecodeCheckpoint returns the state a checkpoint's data holds. Damaged
// data gives an error, never a panic.
func DecodeCheckpoint(data []byte) (*state.Snapshot, error) {
	if len(data) < 5 || data[0] != checkpointVersion {
		return nil, errors.New("decode checkpoint: unknown format")
	}
	n, err := s2.DecodedLen(data[5:])
	if err != nil || n > maxCheckpoint {
		return nil, errors.New("decode checkpoint: bad compressed length")
	}
	js, err := s2.Decode(nil, data[5:])
	if err != nil {
		return nil, fmt.Errorf("decode checkpoint: %w", err)
	}
	if crc32.Checksum(js, castagnoli) != binary.LittleEndian.Uint32(data[1:5]) {
		return nil, errors.New("decode checkpoint: checksum mismatch")
	}
	snap := &state.Snapshot{}
	if err := json.Unmarshal(js, snap); err != nil {
		return nil, fmt.Errorf("decode checkpoint: %w", err)
	}
	return snap, nil
}

// SegmentEnd returns the timestamp of the last record of a segment's data
// without decoding the records' values.
func SegmentEnd(data []byte) (int64, error) {
	frames, _, err := segmentFrames(data)
	if err != nil {
		return 0, err
	}
	var ts int64
	found := false
	for len(frames) > 0 {
		n, k := binary.Uvarint(frames)
		if k <= 0 || n > uint64(len(frames)-k) {
			return 0, fmt.Errorf("%w: bad frame length", errCorrupt)
		}
		frame := frames[k : k+int(n)]
		frames = frames[k+int(n):]
		for i := 0; i < 8; i++ { // the timestamp is the eighth varint
			v, k := binary.Varint(frame)
			if k <= 0 {
				return 0, fmt.Errorf("%w: bad record header", errCorrupt)
			}
			ts, frame = v, frame[k:]
		}
		found = true
	}
	if !found {
		return 0, fmt.Errorf("%w: no record", errCorrupt)
	}
	return ts, nil
}

// segmentFrames returns a segment's frames, decompressed and checked, and
// its framing version.
func segmentFrames(data []byte) ([]byte, byte, error) {
	if len(data) == 0 {
		return nil, 0, fmt.Errorf("%w: empty", errCorrupt)
	}
	version := data[0]
	switch version {
	case segmentVersionUncompress:
		return data[1:], version, nil
	case segmentVersionCompressed, segmentVersion:
		if len(data) < 5 {
			return nil, 0, fmt.Errorf("%w: short header", errCorrupt)
		}
		sum := binary.LittleEndian.Uint32(data[1:5])
		n, err := s2.DecodedLen(data[5:])
		if err != nil || n > maxSegment {
			return nil, 0, fmt.Errorf("%w: bad compressed length", errCorrupt)
		}
		out, err := s2.Decode(nil, data[5:])
		if err != nil {
			return nil, 0, fmt.Errorf("%w: %w", errCorrupt, err)
		}
		if crc32.Checksum(out, castagnoli) != sum {
			return nil, 0, fmt.Errorf("%w: checksum mismatch", errCorrupt)
		}
		return out, version, nil
	}
	return nil, 0, fmt.Errorf("%w: unknown framing version %d", errCorrupt, version)
}

// Compaction queries, the same text for every store (no parameters).
const (
	// AnchorQuery reads the chain anchor (migration pg 25, sqlite 24).
	AnchorQuery = "SELECT position, hash FROM log_anchor WHERE id = 1"
	// CheckpointInfoQuery reads the newest checkpoint without its state.
	CheckpointInfoQuery = "SELECT position, hash, created_ms, state_bytes, length(data) FROM log_checkpoints ORDER BY position DESC LIMIT 1"
	// CheckpointQuery reads the newest checkpoint with its state.
	CheckpointQuery = "SELECT position, hash, created_ms, state_bytes, length(data), data FROM log_checkpoints ORDER BY position DESC LIMIT 1"
	// headQuery reads the last committed position.
	headQuery = "SELECT last_position FROM meta WHERE id = 1"
	// lastSegmentQuery reads the first position of the last segment.
	lastSegmentQuery = "SELECT first_position FROM log_segments ORDER BY first_position DESC LIMIT 1"
	// CheckpointHashQuery reads, in the checkpoint's snapshot, the last
	// segment's last position and hash.
	CheckpointHashQuery = "SELECT last_position, hash FROM log_segments ORDER BY first_position DESC LIMIT 1"
)

// ReadAnchor reads the chain anchor through fetch; a database without the
// row (it cannot happen after the migration) has none.
func ReadAnchor(ctx context.Context, fetch Fetch) (store.Anchor, error) {
	return readAnchor(ctx, fetch, AnchorQuery)
}

// readAnchor reads the anchor with query (AnchorQuery when empty).
func readAnchor(ctx context.Context, fetch Fetch, query string) (store.Anchor, error) {
	if query == "" {
		query = AnchorQuery
	}
	var a store.Anchor
	err := fetch(ctx, query, nil, func(scan Scan) error { return scan(&a.Position, &a.Hash) })
	if err != nil {
		return a, fmt.Errorf("read the log's anchor: %w", err)
	}
	return a, nil
}

// LogStatus reads the anchor, the newest checkpoint and the head.
func LogStatus(ctx context.Context, fetch Fetch) (store.LogStatus, error) {
	return Part{}.LogStatus(ctx, fetch)
}

// LogStatus reads the partition's anchor, newest checkpoint and head.
func (p Part) LogStatus(ctx context.Context, fetch Fetch) (store.LogStatus, error) {
	var st store.LogStatus
	var err error
	q := p.queries()
	if st.Anchor, err = readAnchor(ctx, fetch, q.anchor); err != nil {
		return st, err
	}
	var ts int64
	err = fetch(ctx, q.checkpointInfo, nil, func(scan Scan) error {
		c := &st.Checkpoint
		return scan(&c.Position, &c.Hash, &ts, &c.StateBytes, &c.StoredBytes)
	})
	if err != nil {
		return st, fmt.Errorf("read the newest checkpoint: %w", err)
	}
	if st.Checkpoint.Position > 0 {
		st.Checkpoint.Time = time.UnixMilli(ts).UTC()
	}
	if err := fetch(ctx, q.head, nil, func(scan Scan) error { return scan(&st.Head) }); err != nil {
		return st, fmt.Errorf("read the log's head: %w", err)
	}
	after := max(st.Anchor.Position, st.Checkpoint.Position)
	var data []byte
	err = fetch(ctx, fmt.Sprintf(q.uncovered, after), nil, func(scan Scan) error {
		return scan(&st.Uncovered.LastPosition, &data)
	})
	if err != nil {
		return st, fmt.Errorf("read the first log segment after position %d: %w", after, err)
	}
	if st.Uncovered.LastPosition > 0 {
		end, err := SegmentEnd(data)
		if err != nil {
			return st, fmt.Errorf("log segment ending at position %d: %w", st.Uncovered.LastPosition, err)
		}
		st.Uncovered.End = time.UnixMilli(end).UTC()
	}
	return st, nil
}

// uncoveredQuery reads the first segment after a position (a number
// formatted in, the same text for every store).
const uncoveredQuery = "SELECT last_position, data FROM log_segments WHERE first_position > %d ORDER BY first_position LIMIT 1"

// ReadCheckpoint reads the newest checkpoint and decodes its state.
func ReadCheckpoint(ctx context.Context, fetch Fetch) (store.Checkpoint, bool, error) {
	return Part{}.ReadCheckpoint(ctx, fetch)
}

// ReadCheckpoint reads the partition's newest checkpoint and decodes its
// state.
func (p Part) ReadCheckpoint(ctx context.Context, fetch Fetch) (store.Checkpoint, bool, error) {
	var cp store.Checkpoint
	var ts int64
	var data []byte
	found := false
	err := fetch(ctx, p.queries().checkpoint, nil, func(scan Scan) error {
		found = true
		c := &cp.CheckpointInfo
		return scan(&c.Position, &c.Hash, &ts, &c.StateBytes, &c.StoredBytes, &data)
	})
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("read the newest checkpoint: %w", err)
		}
		return cp, false, err
	}
	cp.Time = time.UnixMilli(ts).UTC()
	if cp.State, err = DecodeCheckpoint(data); err != nil {
		return cp, false, fmt.Errorf("checkpoint at position %d: %w", cp.Position, err)
	}
	return cp, true, nil
}

// TakeCheckpoint reads, through l (one read snapshot), the live state, the
// last segment's position and hash, and encodes the checkpoint. The state
// must be as of the last segment's end; a log without segments has nothing
// to checkpoint (ok false). It reads l.Part's state and log.
func TakeCheckpoint(l Load, at time.Time) (info store.CheckpointInfo, data []byte, ok bool, err error) {
	snap, err := l.Snapshot()
	if err != nil {
		return info, nil, false, err
	}
	var last int64
	var hash []byte
	found := false
	err = l.Queries[0](l.Part.queries().checkpointHash, func(s Scan) error { found = true; return s(&last, &hash) })
	if err != nil {
		return info, nil, false, fmt.Errorf("read the last log segment: %w", err)
	}
	if !found {
		return info, nil, false, nil
	}
	if last != snap.LastPosition {
		return info, nil, false, fmt.Errorf("the state rows are as of position %d, but the log ends at %d", snap.LastPosition, last)
	}
	data, size, err := EncodeCheckpoint(snap)
	if err != nil {
		return info, nil, false, err
	}
	info = store.CheckpointInfo{Position: last, Hash: hash, Time: at.UTC().Truncate(time.Millisecond),
		StateBytes: size, StoredBytes: int64(len(data))}
	return info, data, true, nil
}

// KeepCheckpoints is how many checkpoints a store keeps: the newest and the
// one before it.
const KeepCheckpoints = 2

// Compaction is a store's part of CompactLog.
type Compaction struct {
	// Fetch reads outside any commit (the read pool).
	Fetch Fetch
	// Candidates takes (after, through, limit): the segments whose first
	// position is after the first and whose last position is at most the
	// second, in order: first_position, last_position, records, data, hash.
	Candidates string
	// Delete removes, in one transaction, the segments first..last (n of
	// them), moves the anchor from old to anchor (failing when it is not
	// old any more) and removes the checkpoints before the new anchor.
	Delete func(ctx context.Context, first, last, n int64, old, anchor store.Anchor) error
	// Part is the partition whose log is compacted (the zero Part: the
	// whole store); Candidates must read its segments only.
	Part Part
}

// DefaultCompactLimit is CompactRequest.Limit's default.
const DefaultCompactLimit = 64

// Compact runs one batch of CompactLog (see store.LogCompactor).
func Compact(ctx context.Context, c Compaction, req store.CompactRequest) (store.CompactResult, error) {
	var res store.CompactResult
	st, err := c.Part.LogStatus(ctx, c.Fetch)
	if err != nil {
		return res, err
	}
	res.Anchor = st.Anchor
	var lastFirst int64
	if err := c.Fetch(ctx, c.Part.queries().lastSegment, nil, func(scan Scan) error { return scan(&lastFirst) }); err != nil {
		return res, fmt.Errorf("read the last log segment: %w", err)
	}
	// Never the last segment: the chain continues from it.
	through := min(st.Checkpoint.Position, lastFirst-1)
	if floor, ok, err := c.Part.InboxFloor(ctx, c.Fetch); err != nil {
		return res, err
	} else if ok {
		through = min(through, floor) // never a command another partition has not applied
	}
	if st.Checkpoint.Position == 0 || through <= st.Anchor.Position {
		return res, nil
	}
	limit := req.Limit
	if limit <= 0 {
		limit = DefaultCompactLimit
	}
	before := req.Before.UnixMilli()
	var segs []store.ArchivedSegment
	done := false
	err = c.Fetch(ctx, c.Candidates, []any{st.Anchor.Position, through, limit}, func(scan Scan) error {
		var s store.ArchivedSegment
		if err := scan(&s.FirstPosition, &s.LastPosition, &s.Records, &s.Data, &s.Hash); err != nil {
			return fmt.Errorf("read log segment: %w", err)
		}
		if done {
			return nil
		}
		ts, err := SegmentEnd(s.Data)
		if err != nil {
			return fmt.Errorf("log segment at position %d: %w", s.FirstPosition, err)
		}
		if ts >= before {
			done = true // segments after it are younger
			return nil
		}
		segs = append(segs, s)
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("read the log segments to compact: %w", err)
	}
	if len(segs) == 0 {
		return res, nil
	}
	next := st.Anchor.Position + 1
	for i, s := range segs {
		if (st.Anchor.Position > 0 || i > 0) && s.FirstPosition != next {
			return res, fmt.Errorf("compact log: the segment at position %d does not follow position %d", s.FirstPosition, next-1)
		}
		next = s.LastPosition + 1
		res.Records += s.Records
		res.Bytes += int64(len(s.Data))
	}
	if req.Archive != nil {
		if err := req.Archive.WriteSegments(ctx, segs); err != nil {
			return res, fmt.Errorf("archive log segments %d..%d: %w", segs[0].FirstPosition, next-1, err)
		}
	}
	last := segs[len(segs)-1]
	anchor := store.Anchor{Position: last.LastPosition, Hash: last.Hash}
	if err := c.Delete(ctx, segs[0].FirstPosition, last.LastPosition, int64(len(segs)), st.Anchor, anchor); err != nil {
		return res, fmt.Errorf("delete log segments %d..%d: %w", segs[0].FirstPosition, last.LastPosition, err)
	}
	res.Removed = int64(len(segs))
	res.Anchor = anchor
	res.More = len(segs) == limit && !done
	return res, nil
}

// Segment returns the segment EncodeSegment encoded into r (rows of
// LogSegments); the zero segment when r holds none.
func (r *Rows) Segment() store.ArchivedSegment {
	if r.T != LogSegments || r.Len() == 0 {
		return store.ArchivedSegment{}
	}
	return store.ArchivedSegment{FirstPosition: r.cols[0].ints[0], LastPosition: r.cols[1].ints[0], Records: r.cols[2].ints[0],
		Data: r.cols[3].blobs[0], Hash: r.cols[4].blobs[0]}
}

// ChainWalk checks segments one after another as VerifyChain does, for
// segments read from elsewhere (an archive).
type ChainWalk struct {
	next    int64
	prev    Hash
	chained bool
	// Report is what was checked so far; Report.Broken the first broken
	// link.
	Report store.ChainReport
}

// NewChainWalk starts a walk whose first segment must begin at position
// next and follow the hash prev (nil: the chain's start).
func NewChainWalk(next int64, prev []byte) (*ChainWalk, error) {
	w := &ChainWalk{next: next}
	if prev != nil {
		h, err := toHash(prev)
		if err != nil {
			return nil, err
		}
		w.prev, w.chained = h, true
	}
	return w, nil
}

// Check checks the next segment; it returns false once a link is broken.
func (w *ChainWalk) Check(s store.ArchivedSegment) bool {
	if w.Report.Broken != nil {
		return false
	}
	w.Report.Broken = checkLink(s.FirstPosition, s.LastPosition, w.next, s.Data, s.Hash, &w.prev, &w.chained)
	if w.Report.Broken != nil {
		return false
	}
	w.Report.Segments++
	if !w.chained {
		w.Report.Unchained++
	} else {
		w.Report.LastHash = append(w.Report.LastHash[:0], w.prev[:]...)
	}
	w.Report.LastPosition, w.next = s.LastPosition, s.LastPosition+1
	return true
}
