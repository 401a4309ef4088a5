package store

import (
	"context"
	"fmt"
)

// PartitionKeeper is a store that records how many partitions it was
// created with. The count is fixed for the store's life: a partition's keys
// carry its number ((partition << 51) | n), so instances, jobs and messages
// cannot move to another partition once written, and another count would
// send their commands to the wrong one.
type PartitionKeeper interface {
	// KeepPartitions records n as the store's partition count when it has
	// none yet (nothing was ever committed to it, or it was created before
	// stores kept a count and then it is 1), and returns the count the
	// store keeps.
	KeepPartitions(ctx context.Context, n int32) (int32, error)
}

// PartitionsChangedError refuses a partition count other than the one the
// store was created with.
type PartitionsChangedError struct {
	Stored, Configured int32
}

func (e *PartitionsChangedError) Error() string {
	return fmt.Sprintf("the store was created with %d partition(s) and cannot change to %d: "+
		"every key names its partition, so the count is fixed when the store is created", e.Stored, e.Configured)
}

// CheckPartitions records n as s's partition count if s has none yet, and
// refuses a count other than the one s keeps with a *PartitionsChangedError.
// A store that keeps no count (it is not a PartitionKeeper) has one
// partition.
func CheckPartitions(ctx context.Context, s Store, n int32) error {
	if n < 1 {
		return fmt.Errorf("check partitions: need at least one partition, got %d", n)
	}
	stored := int32(1)
	if k, ok := s.(PartitionKeeper); ok {
		var err error
		if stored, err = k.KeepPartitions(ctx, n); err != nil {
			return fmt.Errorf("check partitions: %w", err)
		}
	}
	if stored != n {
		return &PartitionsChangedError{Stored: stored, Configured: n}
	}
	return nil
}
