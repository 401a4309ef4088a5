package retention

import (
	"context"
	"time"

	"github.com/example/wf-engine/core/store"
)

// StepLog is the name of the step that compacts the command log.
const StepLog = "log"

// A checkpoint is taken only when it lets compaction remove something:
// when the oldest segment after the newest checkpoint is older than LogTTL
// and is not the last one (see CheckpointDue). Restarts read the state
// rows, not checkpoints (engine.Start), so a checkpoint's
// only use besides compaction is replaycheck's starting point, and each
// one costs a read of the whole live state: taking them by elapsed time or
// committed positions read it every few seconds at full load for nothing.
// A segment stays about LogTTL plus one run interval; checkpoints follow
// one another at least LogTTL apart, and two are kept.
const (
	// DefaultLogLimit is the most segments one compaction batch removes.
	DefaultLogLimit = 32
)

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
// CheckpointDue) and then removes, limit segments per batch (0:
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

// checkpointIfDue writes a checkpoint when a new one lets compaction remove
// a segment (CheckpointDue).
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
// at now, for a log time to live of ttl: compaction removes only segments
// before the newest checkpoint, never the last one, and only those older
// than ttl; a checkpoint is due when the oldest segment after the newest
// one (st.Uncovered) is such a segment.
func CheckpointDue(st store.LogStatus, ttl time.Duration, now time.Time) bool {
	u := st.Uncovered
	return u.LastPosition > 0 && u.LastPosition < st.Head && u.End.Before(now.Add(-ttl))
}
