package retention

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/store"
)

// StepLog is the name of the step that compacts the command log.
const StepLog = "log"

// Checkpoint frequency of the log step: a new checkpoint is taken when the
// log's head moved past the newest one and either CheckpointEveryPositions
// positions were committed since, or checkpointInterval(LogTTL) passed.
// Compaction removes nothing after the newest checkpoint, so a segment
// stays at most about LogTTL plus that interval; each checkpoint costs one
// read of the live state and its compressed size in the store (two are
// kept).
const (
	CheckpointEveryPositions = 1_000_000
	MaxCheckpointInterval    = time.Hour
	// DefaultLogLimit is the most segments one compaction batch removes.
	DefaultLogLimit = 32
)

// checkpointInterval is the time between checkpoints: half the log's time
// to live, at most MaxCheckpointInterval.
func checkpointInterval(ttl time.Duration) time.Duration {
	return min(ttl/2, MaxCheckpointInterval)
}

// CompactionObserver is told what the log step did, for metrics; its
// methods must not block.
type CompactionObserver interface {
	// ObserveLogCheckpoint reports a checkpoint written and how long
	// reading and writing it took.
	ObserveLogCheckpoint(info store.CheckpointInfo, took time.Duration)
	// ObserveLogCompaction reports one compaction batch: what it removed,
	// whether the segments were archived, and the first position the
	// store's log keeps afterwards.
	ObserveLogCompaction(res store.CompactResult, archived bool)
}

// LogStep returns the step that compacts c's log under cfg: with
// cfg.LogTTL > 0 it takes a checkpoint when one is due (see
// CheckpointEveryPositions) and then removes, limit segments per batch (0:
// DefaultLogLimit), the segments before the newest checkpoint whose last
// record is older than LogTTL, writing them to archive first when it is
// not nil. target adapts the batch size as Step.Target does. obs may be
// nil.
func LogStep(c store.LogCompactor, cfg Config, archive store.ArchiveWriter, obs CompactionObserver, limit int, target time.Duration) Step {
	if limit <= 0 {
		limit = DefaultLogLimit
	}
	return Step{
		Name:   StepLog,
		Limit:  limit,
		Target: target,
		Batch: func(ctx context.Context, now time.Time, limit int) (BatchResult, error) {
			if cfg.LogTTL <= 0 {
				return BatchResult{}, nil
			}
			if err := checkpointIfDue(ctx, c, cfg, obs, now); err != nil {
				return BatchResult{}, err
			}
			res, err := c.CompactLog(ctx, store.CompactRequest{Before: now.Add(-cfg.LogTTL), Limit: limit, Archive: archive})
			if err != nil {
				return BatchResult{}, err
			}
			if obs != nil {
				obs.ObserveLogCompaction(res, archive != nil)
			}
			return BatchResult{Removed: int(res.Removed), More: res.More}, nil
		},
	}
}

// checkpointIfDue writes a checkpoint when the newest is too old or too
// far behind the head.
func checkpointIfDue(ctx context.Context, c store.LogCompactor, cfg Config, obs CompactionObserver, now time.Time) error {
	st, err := c.LogStatus(ctx)
	if err != nil {
		return err
	}
	cp := st.Checkpoint
	if !CheckpointDue(st, cfg.LogTTL, now) {
		return nil
	}
	start := time.Now()
	info, err := c.WriteCheckpoint(ctx, now)
	if err != nil {
		return err
	}
	if obs != nil && info.Position > cp.Position {
		obs.ObserveLogCheckpoint(info, time.Since(start))
	}
	return nil
}

// CheckpointDue reports whether a log in status st needs a new checkpoint
// at now, for a log time to live of ttl.
func CheckpointDue(st store.LogStatus, ttl time.Duration, now time.Time) bool {
	cp := st.Checkpoint
	switch {
	case st.Head <= cp.Position:
		return false // nothing committed since
	case cp.Position == 0:
		return true
	case st.Head-cp.Position >= CheckpointEveryPositions:
		return true
	}
	return !now.Before(cp.Time.Add(checkpointInterval(ttl)))
}
