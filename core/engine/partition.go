package engine

import (
	"context"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// partitionFloor returns where partition p's positions and keys begin:
// its positions are ((p - 1) << 51) | n and its keys (p << 51) | n
// (docs/scaling.md). Partition 1 (and a partition below it) starts at 0 for
// both, as it always did, so that a store of one partition is written byte
// for byte as before partitions existed.
func partitionFloor(p int32) (position, key int64) {
	if p <= 1 {
		return 0, 0
	}
	return record.Key(p-1, 0), record.Key(p, 0)
}

// raisePartitionFloor moves a snapshot that has not reached its
// partition's ranges yet (nothing of the partition was written) to their
// beginning, so that the next position and key fall in them.
func raisePartitionFloor(snap *state.Snapshot, p int32) {
	pos, key := partitionFloor(p)
	snap.LastPosition = max(snap.LastPosition, pos)
	snap.LastKey = max(snap.LastKey, key)
}

// ReadFor is Read: an engine runs one partition, which owns every key it
// is asked about (the Router reads the partition of the key).
func (e *Engine) ReadFor(ctx context.Context, _ int64, fn func(*state.State)) error {
	return e.Read(ctx, fn)
}

// Health returns the engine's partition and whether it processes commands.
func (e *Engine) Health() []PartitionHealth {
	return []PartitionHealth{{Partition: e.cfg.Partition, Healthy: e.Ready()}}
}

// Partition returns the partition the engine runs.
func (e *Engine) Partition() int32 { return e.cfg.Partition }

// Store returns the store the engine's partition commits to.
func (e *Engine) Store() store.Store { return e.cfg.Store }

// NewPartitionState is the state of partition p before anything of it was
// written: at the beginning of its position and key ranges, as the engine
// starts it. Records it applies with another partition's keys (definitions
// distributed from partition 1) leave its last key there.
func NewPartitionState(reg *element.Registry, p int32) (*state.State, error) {
	snap := &state.Snapshot{}
	raisePartitionFloor(snap, p)
	return RestoreState(reg, snap)
}
