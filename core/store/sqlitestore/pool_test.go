package sqlitestore

import (
	"context"
	"testing"
)

// The store reports its read pool and its one writer connection, and a
// commit shows in neither as a connection left acquired.
func TestPoolStats(t *testing.T) {
	s := openTest(t)
	if err := s.Commit(context.Background(), batch(1, 3, "x")); err != nil {
		t.Fatal(err)
	}
	stats := s.PoolStats()
	if len(stats) != 2 || stats[0].Name != "read" || stats[1].Name != "write" {
		t.Fatalf("pools: %+v", stats)
	}
	if w := stats[1]; w.Max != 1 || w.Acquired != 0 {
		t.Errorf("writer pool: %+v, want one connection, none in use", w)
	}
	if r := stats[0]; r.Max < 1 || r.Acquired != 0 {
		t.Errorf("read pool: %+v", r)
	}
}
