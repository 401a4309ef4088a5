package sqlitestore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "wf.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// batch returns n records from position from on with one element row each.
func batch(from int64, n int, text string) *store.Batch {
	b := &store.Batch{}
	for i := range int64(n) {
		p := from + i
		b.Records = append(b.Records, &record.Record{Position: p, Key: p, Kind: record.KindEvent, ValueType: record.TypeVariable,
			Intent: record.IntentVariableCreated, Version: 1, Value: &record.VariableValue{Name: "v", Value: text}})
		b.Changes.Elements = append(b.Changes.Elements, state.ElementRow{Key: p, State: state.ElementActivated,
			Value: record.ProcessInstanceValue{ElementID: text, ProcessInstanceKey: p, FlowScopeKey: -1, TenantID: record.DefaultTenant}})
	}
	b.Changes.LastKey, b.Changes.LastPosition = from+int64(n)-1, from+int64(n)-1
	return b
}

func count(t *testing.T, s *Store) (records, elements int) {
	t.Helper()
	if err := s.r.QueryRow("SELECT (SELECT coalesce(sum(records), 0) FROM log_segments) + (SELECT count(*) FROM log), (SELECT count(*) FROM element_instances)").Scan(&records, &elements); err != nil {
		t.Fatal(err)
	}
	return records, elements
}

func TestCommitFailingBeforeCommitLeavesNothing(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Commit(ctx, batch(1, 3, "a")); err != nil {
		t.Fatal(err)
	}
	s.failAfterWrite = errors.New("injected")
	if err := s.Commit(ctx, batch(4, 300, "b")); err == nil || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("got %v, want the injected failure", err)
	}
	s.failAfterWrite = nil
	if r, e := count(t, s); r != 3 || e != 3 {
		t.Fatalf("after a failed commit: %d records, %d elements; want 3 and 3", r, e)
	}
	if err := s.Commit(ctx, batch(4, 2, "c")); err != nil {
		t.Fatalf("commit after a failed one: %v", err)
	}
	snap, err := s.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.LastPosition != 5 || len(snap.Elements) != 5 {
		t.Fatalf("loaded position %d with %d elements, want 5 and 5", snap.LastPosition, len(snap.Elements))
	}
}

// A full disk is simulated with a page limit on the writer connection:
// SQLite fails the same way (SQLITE_FULL).
func TestDiskFullFailsTheCommitWhole(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Commit(ctx, batch(1, 10, "small")); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := s.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("PRAGMA max_page_count = " + strconv.FormatInt(pages+2, 10)); err != nil {
		t.Fatal(err)
	}
	big := batch(11, 2000, strings.Repeat("x", 500))
	err := s.Commit(ctx, big)
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("got %v, want a disk-full error", err)
	}
	if r, e := count(t, s); r != 10 || e != 10 {
		t.Fatalf("after a full disk: %d records, %d elements; want 10 and 10", r, e)
	}
	if _, err := s.w.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, big); err != nil {
		t.Fatalf("commit once there is room again: %v", err)
	}
	if r, e := count(t, s); r != 2010 || e != 2010 {
		t.Fatalf("%d records, %d elements; want 2010 and 2010", r, e)
	}
}

func TestCommitRefusesBadBatches(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Commit(ctx, nil); err == nil {
		t.Fatal("nil batch accepted")
	}
	if err := s.Commit(ctx, &store.Batch{Records: []*record.Record{nil}}); err == nil {
		t.Fatal("nil record accepted")
	}
	bad := &store.Batch{Changes: state.Changes{Variables: []state.VariableRow{{Key: 1, Name: "f", Value: func() {}}}}}
	if err := s.Commit(ctx, bad); err == nil || !strings.Contains(err.Error(), "variable f") {
		t.Fatalf("got %v, want an encoding error naming the variable", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Commit(canceled, batch(1, 1, "x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit with a canceled context: %v", err)
	}
	if r, _ := count(t, s); r != 0 {
		t.Fatalf("%d records after refused batches", r)
	}
}

func TestOpenRefusesBadOptionsAndPaths(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "a.db"), Options{Synchronous: "SOMETIMES"}); err == nil {
		t.Fatal("bad synchronous accepted")
	}
	for _, p := range []string{"", ":memory:", "file:x.db", filepath.Join(dir, "a?b.db")} {
		if _, err := Open(ctx, p, Options{}); err == nil {
			t.Fatalf("path %q accepted", p)
		}
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, filepath.Join(blocker, "sub", "wf.db"), Options{}); err == nil {
		t.Fatal("a path under a file accepted")
	}
	s, err := Open(ctx, filepath.Join(dir, "b.db"), Options{Synchronous: "normal"})
	if err != nil {
		t.Fatalf("synchronous normal: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateUpDownAndVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	v, dirty, err := Migrate(ctx, path, "version")
	if err != nil || v != 0 || dirty {
		t.Fatalf("version of a new file: %d %v %v", v, dirty, err)
	}
	v, _, err = Migrate(ctx, path, "up")
	if err != nil || v < 2 {
		t.Fatalf("up: %d %v", v, err)
	}
	latest := v
	if v, _, err = Migrate(ctx, path, "up"); err != nil || v != latest {
		t.Fatalf("up again: %d %v", v, err)
	}
	// Down undoes the last migration: the version before it, which is
	// latest-1 unless numbers reserved for other work are still free.
	if v, _, err = Migrate(ctx, path, "down"); err != nil || v >= latest || v == 0 {
		t.Fatalf("down: %d %v, want a version below %d", v, err, latest)
	}
	if _, _, err = Migrate(ctx, path, "sideways"); err == nil {
		t.Fatal("unknown direction accepted")
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open migrates up again: %v", err)
	}
	_ = s.Close()
	if v, _, err = Migrate(ctx, path, "version"); err != nil || v != latest {
		t.Fatalf("version after open: %d %v", v, err)
	}
}

// A database migrated from before log segments keeps its per-record log
// rows; ReadLog returns them first, then the segments.
func TestLogRowsFromBeforeSegmentsAreReadFirst(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, "INSERT INTO log VALUES (1, 0, 1, 1, ?, ?, 1, 5, 0, x'', ?)",
		int64(record.TypeVariable), int64(record.IntentVariableCreated), []byte(`{"name":"old"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, batch(2, 3, "new")); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := s.ReadLog(ctx, 1, func(r *record.Record) error {
		names = append(names, strconv.FormatInt(r.Position, 10)+":"+r.Value.(*record.VariableValue).Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, " "); got != "1:old 2:v 3:v 4:v" {
		t.Fatalf("log read as %s", got)
	}
	if records, _ := count(t, s); records != 4 {
		t.Fatalf("%d records counted", records)
	}
}
