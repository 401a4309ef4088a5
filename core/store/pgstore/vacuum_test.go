package pgstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// TestHotTablesVacuumEarly: migration 41 has autovacuum visit the state
// tables after 2 % of their rows changed (ADR 36), keeping their other
// storage settings (fillfactor), and taking them back on the way down.
func TestHotTablesVacuumEarly(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s, err := pgstore.Open(ctx, url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	options := func(table string) []string {
		t.Helper()
		var o []string
		if err := conn.QueryRow(ctx, "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = $1::regclass", table).Scan(&o); err != nil {
			t.Fatalf("storage options of %s: %v", table, err)
		}
		return o
	}
	for _, table := range []string{"element_instances", "jobs", "variables", "user_tasks", "incidents"} {
		o := options(table)
		if !slices.Contains(o, "autovacuum_vacuum_scale_factor=0.02") || !slices.Contains(o, "autovacuum_analyze_scale_factor=0.02") {
			t.Errorf("%s: storage options %v, want the vacuum and analyze scale factors 0.02", table, o)
		}
	}
	if o := options("element_instances"); !slices.Contains(o, "fillfactor=80") {
		t.Errorf("element_instances lost its fillfactor: %v", o)
	}
	for v := uint(1 << 31); v != 40; { // "down" undoes one migration at a time
		if v, _, err = pgstore.Migrate(ctx, url, "down"); err != nil || v < 40 {
			t.Fatalf("migrate down: %d %v", v, err)
		}
	}
	if o := options("element_instances"); slices.Contains(o, "autovacuum_vacuum_scale_factor=0.02") || !slices.Contains(o, "fillfactor=80") {
		t.Errorf("element_instances after the way down: %v, want fillfactor only", o)
	}
}
