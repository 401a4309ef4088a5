package storesuite

import (
	"context"
	"errors"
	"testing"

	"github.com/example/wf-engine/core/store"
)

// partitionCount checks that a store keeps the partition count it was
// first started with (store.PartitionKeeper) across a reopen and refuses
// another one, naming both.
func (s *suite) partitionCount(t *testing.T) {
	ctx := context.Background()
	st := s.open(t)
	defer func() { _ = st.Close() }()
	if _, ok := st.(store.PartitionKeeper); !ok {
		t.Fatalf("%T does not keep its partition count", st)
	}
	if err := store.CheckPartitions(ctx, st, 3); err != nil {
		t.Fatalf("first count on a new store: %v", err)
	}
	if err := store.CheckPartitions(ctx, st, 3); err != nil {
		t.Fatalf("the same count again: %v", err)
	}
	if s.cfg.reopen != nil {
		st = s.cfg.reopen(t, st)
	}
	err := store.CheckPartitions(ctx, st, 1)
	var changed *store.PartitionsChangedError
	if !errors.As(err, &changed) || changed.Stored != 3 || changed.Configured != 1 {
		t.Fatalf("another count: got %v, want the stored 3 and the configured 1", err)
	}
	if err := store.CheckPartitions(ctx, st, 0); err == nil {
		t.Fatal("zero partitions were accepted")
	}
}
