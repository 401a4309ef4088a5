package pgstore_test

import (
	"context"
	"testing"

	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// The store reports its read pool, bounded by MaxConns, and its commit
// pool; nothing stays acquired between calls.
func TestPoolStats(t *testing.T) {
	s, err := pgstore.Open(context.Background(), pgtest.URL(t), pgstore.Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	stats := s.PoolStats()
	if len(stats) != 2 || stats[0].Name != "read" || stats[1].Name != "write" {
		t.Fatalf("pools: %+v", stats)
	}
	if r := stats[0]; r.Max != 3 || r.Acquired != 0 || r.Idle < 1 {
		t.Errorf("read pool after a load: %+v", r)
	}
	if w := stats[1]; w.Max != 1 || w.Acquired != 0 {
		t.Errorf("commit pool: %+v", w)
	}
}
