package storesuite

import (
	"context"
	"errors"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// BeforePartitions is a store's hook for PartitionCountFromBeforeItWasKept:
// it opens a new, empty store and returns it with undo, which closes that
// store, makes its database look as it did before the migration that keeps
// the partition count (pgstore's 30, sqlitestore's 29) and runs that
// migration's SQL again (migrating down would undo whichever migration is
// the last one), and opens the store again.
type BeforePartitions func(t *testing.T) (s store.Store, undo func(t *testing.T, s store.Store) store.Store)

// PartitionCountFromBeforeItWasKept checks that the migration that keeps a
// store's partition count gives a store that already holds records one
// partition, and leaves a store that holds none free to take the first
// count it is started with.
func PartitionCountFromBeforeItWasKept(t *testing.T, open BeforePartitions) {
	t.Helper()
	ctx := context.Background()
	for _, used := range []bool{true, false} {
		s, undo := open(t)
		if used {
			err := s.Commit(ctx, &store.Batch{Records: []*record.Record{{Position: 1, Key: record.Key(1, 1), Kind: record.KindCommand,
				ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}}},
				Changes: state.Changes{LastKey: record.Key(1, 1), LastPosition: 1}})
			if err != nil {
				t.Fatal(err)
			}
		}
		s = undo(t, s)
		err := store.CheckPartitions(ctx, s, 4)
		var changed *store.PartitionsChangedError
		switch {
		case used && (!errors.As(err, &changed) || changed.Stored != 1):
			t.Errorf("a store with records: got %v, want it kept at 1 partition", err)
		case !used && err != nil:
			t.Errorf("a store without records: %v", err)
		}
		_ = s.Close()
	}
}
