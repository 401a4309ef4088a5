package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// LogCompactor is a store whose command log can be compacted: segments
// wholly before its newest checkpoint and older than a time to live are
// removed (archived first when an archive is given), and the hash chain is
// then verified from an anchor, the last removed segment. See
// docs/stores.md, "Log compaction".
type LogCompactor interface {
	// WriteCheckpoint records the live state as of the last committed
	// position, read in one snapshot beside the writer together with that
	// position and the hash of the segment ending there, and removes
	// checkpoints that are no longer needed. at is the checkpoint's time.
	WriteCheckpoint(ctx context.Context, at time.Time) (CheckpointInfo, error)
	// LogCheckpoint returns the newest checkpoint and its state; ok is
	// false when there is none.
	LogCheckpoint(ctx context.Context) (cp Checkpoint, ok bool, err error)
	// CompactLog removes, in one transaction, up to req.Limit of the
	// oldest segments that end at or before the newest checkpoint's
	// position (never the last segment) and whose last record is older
	// than req.Before, and moves the anchor to the last one removed. With
	// req.Archive it writes them there first and deletes them only once
	// the archive is durable.
	CompactLog(ctx context.Context, req CompactRequest) (CompactResult, error)
	// LogStatus says where the log begins and ends and what its newest
	// checkpoint is.
	LogStatus(ctx context.Context) (LogStatus, error)
}

// CheckpointInfo describes a checkpoint without its state.
type CheckpointInfo struct {
	// Position is the log position the state is as of; Hash is the chain
	// hash of the segment ending there (nil for a log without a chain).
	Position int64
	Hash     []byte
	// Time is when it was taken; StateBytes the size of its state before
	// compression, StoredBytes after.
	Time                    time.Time
	StateBytes, StoredBytes int64
}

// Checkpoint is a checkpoint with its state.
type Checkpoint struct {
	CheckpointInfo
	State *state.Snapshot
}

// Anchor is where the verifiable log starts after compaction: the position
// and chain hash of the last segment removed. Position 0: none was.
type Anchor struct {
	Position int64
	Hash     []byte
}

// LogStatus is the state of a store's log compaction.
type LogStatus struct {
	Anchor Anchor
	// Checkpoint is the newest checkpoint (Position 0: none).
	Checkpoint CheckpointInfo
	// Head is the last committed position.
	Head int64
	// Uncovered is the oldest segment after the newest checkpoint (after
	// the anchor when there is none); its LastPosition is 0 when there is
	// none. A new checkpoint lets compaction remove it once it is older
	// than the log's time to live, unless it is the last segment.
	Uncovered SegmentInfo
}

// SegmentInfo describes a log segment without its records.
type SegmentInfo struct {
	// LastPosition is the position of its last record, End that record's
	// timestamp.
	LastPosition int64
	End          time.Time
}

// FirstPosition is the first position the store's own log still holds.
func (s LogStatus) FirstPosition() int64 { return s.Anchor.Position + 1 }

// CompactRequest says what one CompactLog call may remove.
type CompactRequest struct {
	// Before: only segments whose last record's timestamp is before it are
	// removed.
	Before time.Time
	// Limit bounds the segments removed; 0: 64.
	Limit int
	// Archive, when set, receives the segments before they are deleted.
	Archive ArchiveWriter
}

// CompactResult is what one CompactLog call did.
type CompactResult struct {
	// Removed segments (all of them archived when an archive was given),
	// their records and their stored bytes.
	Removed, Records, Bytes int64
	// Anchor is the anchor afterwards.
	Anchor Anchor
	// More is true when the call stopped at its limit: more segments may
	// be due.
	More bool
}

// ArchivedSegment is one log segment as the store keeps it: its positions,
// record count, stored bytes and chain hash.
type ArchivedSegment struct {
	FirstPosition, LastPosition, Records int64
	Data, Hash                           []byte
}

// ArchiveWriter keeps removed log segments durably (package logarchive).
type ArchiveWriter interface {
	// WriteSegments writes segments, consecutive and in position order;
	// when it returns nil they survive a crash.
	WriteSegments(ctx context.Context, segs []ArchivedSegment) error
}

// LogArchive reads records that compaction archived. A store configured
// with one reads the records before its anchor from it, so that ReadLog
// from the log's start works after compaction.
type LogArchive interface {
	// ReadArchived calls fn for every archived record from position from
	// through position through, in order. Positions missing from the
	// archive are an error wrapping ErrCompacted.
	ReadArchived(ctx context.Context, from, through int64, fn func(*record.Record) error) error
}

// ErrCompacted is matched (errors.Is) by a *CompactedError.
var ErrCompacted = errors.New("log records were compacted")

// CompactedError is returned by ReadLog asked for positions that
// compaction removed when no archive holds them.
type CompactedError struct {
	// From is the first position asked for that is gone; FirstAvailable
	// the first position the log still holds.
	From, FirstAvailable int64
}

func (e *CompactedError) Error() string {
	return fmt.Sprintf("log records before position %d were compacted (asked from %d)", e.FirstAvailable, e.From)
}

// Is makes errors.Is(err, ErrCompacted) hold.
func (e *CompactedError) Is(target error) bool { return target == ErrCompacted }

// ChainAnchorMismatch: the archived segments do not end at the anchor
// the store keeps (position or hash).
const ChainAnchorMismatch ChainProblem = "anchor mismatch"
