package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestPartitions(t *testing.T) {
	pgtest.BaseURL(t)
	var urls sync.Map // store → its database
	storesuite.RunPartitions(t, storesuite.PartitionStore{
		Open: func(t *testing.T) store.Store {
			url := pgtest.URL(t)
			s := open(t, url)
			urls.Store(s, url)
			return s
		},
		Reopen: func(t *testing.T, s store.Store) store.Store {
			url, _ := urls.Load(s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			again := open(t, url.(string))
			urls.Store(again, url)
			return again
		},
		Tamper: func(t *testing.T, s store.Store, p int32) {
			url, _ := urls.Load(s)
			first := fmt.Sprintf("(SELECT min(first_position) FROM log_segments WHERE first_position > %d AND first_position < %d)",
				store.PositionBase(p), store.PositionEnd(p))
			execSQL(t, url.(string), `UPDATE log_segments SET data = data || '\x00'::bytea WHERE first_position = `+first)
		},
	})
}

// TestPartitionRows checks the rows KeepPartitions adds (migration 31):
// one meta, log_anchor and recovery row per partition, meta's with the
// counters of an empty partition, and none for a store of one partition.
func TestPartitionRows(t *testing.T) {
	ctx := context.Background()
	count := func(url string, table string) int {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close(ctx) }()
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	one := pgtest.URL(t)
	s1 := open(t, one)
	defer func() { _ = s1.Close() }()
	if err := store.CheckPartitions(ctx, s1, 1); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"meta", "log_anchor", "recovery"} {
		if n := count(one, table); n != 1 {
			t.Fatalf("a store of one partition has %d %s rows, want 1", n, table)
		}
	}
	four := pgtest.URL(t)
	s4 := open(t, four)
	defer func() { _ = s4.Close() }()
	for range 2 { // keeping the count again adds nothing
		if err := store.CheckPartitions(ctx, s4, 4); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"meta", "log_anchor", "recovery"} {
		if n := count(four, table); n != 4 {
			t.Fatalf("a store of four partitions has %d %s rows, want 4", n, table)
		}
	}
	conn, err := pgx.Connect(ctx, four)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	for p := int32(1); p <= 4; p++ {
		var key, pos int64
		if err := conn.QueryRow(ctx, "SELECT last_key, last_position FROM meta WHERE id = $1", p).Scan(&key, &pos); err != nil {
			t.Fatal(err)
		}
		wantKey := store.KeyBase(p)
		if p == 1 {
			wantKey = 0 // as a new store's row 1 always was
		}
		if key != wantKey || pos != store.PositionBase(p) {
			t.Fatalf("partition %d's meta row holds %d, %d; want %d, %d", p, key, pos, wantKey, store.PositionBase(p))
		}
	}
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}
