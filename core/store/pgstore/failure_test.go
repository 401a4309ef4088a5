package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func openTest(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// batch returns n records from position from on with one element row each.
func batch(from int64, n int) *store.Batch {
	b := &store.Batch{}
	for i := range int64(n) {
		p := from + i
		b.Records = append(b.Records, &record.Record{Position: p, Key: p, Kind: record.KindEvent, ValueType: record.TypeVariable,
			Intent: record.IntentVariableCreated, Version: 1, Value: &record.VariableValue{Name: "v"}})
		b.Changes.Elements = append(b.Changes.Elements, state.ElementRow{Key: p, State: state.ElementActivated,
			Value: record.ProcessInstanceValue{ElementID: "e", FlowScopeKey: -1, TenantID: record.DefaultTenant}})
	}
	b.Changes.LastKey, b.Changes.LastPosition = from+int64(n)-1, from+int64(n)-1
	return b
}

// count reads on a connection of its own: the store's read pool may still
// hold a connection that a test killed.
func count(t *testing.T, s *Store) (records, elements int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if err := conn.QueryRow(ctx, "SELECT (SELECT coalesce(sum(records), 0) FROM log_segments) + (SELECT count(*) FROM log), (SELECT count(*) FROM element_instances)").Scan(&records, &elements); err != nil {
		t.Fatal(err)
	}
	return records, elements
}

func TestOpenNamesTheHostButNeverThePassword(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, "postgres://wf:s3cret-pw@127.0.0.1:1/wf?sslmode=disable&connect_timeout=2", Options{ConnectTimeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("unreachable server: %v; want the host and no password", err)
	}
	for _, bad := range []string{"postgres://wf:s3cret-pw@host:notaport/db", "postgres://wf:s3cret-pw@[::1/db", "host=x password=s3cret-pw port=abc"} {
		_, err := Open(ctx, bad, Options{})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("malformed url: %v; want an error without the password", err)
		}
		if _, _, err := Migrate(ctx, bad, "version"); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("migrate with a malformed url: %v; want an error without the password", err)
		}
	}
}

func TestFailingStatementAbortsTheWholeBatch(t *testing.T) {
	s := openTest(t, pgtest.URL(t))
	ctx := context.Background()
	if err := s.Commit(ctx, batch(1, 3)); err != nil {
		t.Fatal(err)
	}
	// The log and every state row go first; a statement after them fails.
	s.extra = "SELECT 1/0"
	if err := s.Commit(ctx, batch(4, 500)); err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Fatalf("got %v, want the failing statement's error", err)
	}
	s.extra = ""
	if r, e := count(t, s); r != 3 || e != 3 {
		t.Fatalf("after a failed commit: %d records, %d elements; want 3 and 3", r, e)
	}
	snap, err := s.Load(ctx)
	if err != nil || snap.LastPosition != 3 {
		t.Fatalf("load after a failed commit: position %v, %v; want 3", snap, err)
	}
	if err := s.Commit(ctx, batch(4, 2)); err != nil {
		t.Fatalf("commit after a failed one: %v", err)
	}
}

func TestCommitRefusesBadBatches(t *testing.T) {
	s := openTest(t, pgtest.URL(t))
	ctx := context.Background()
	if err := s.Commit(ctx, nil); err == nil {
		t.Fatal("nil batch accepted")
	}
	if err := s.Commit(ctx, &store.Batch{Records: []*record.Record{nil}}); err == nil {
		t.Fatal("nil record accepted")
	}
	bad := &store.Batch{Changes: state.Changes{Jobs: []state.Job{{Key: 1, Value: record.JobValue{Variables: map[string]any{"c": make(chan int)}}}}}}
	if err := s.Commit(ctx, bad); err == nil || !strings.Contains(err.Error(), "job 1") {
		t.Fatalf("got %v, want an encoding error naming the job", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Commit(canceled, batch(1, 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit with a canceled context: %v", err)
	}
	if r, _ := count(t, s); r != 0 {
		t.Fatalf("%d records after refused batches", r)
	}
}

// killConnections ends every server connection of the store's pool.
func killConnections(t *testing.T, app string) {
	t.Helper()
	pgtest.Exec(t, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = '"+app+"'")
}

func TestLostConnectionFailsTheCommitAndThePoolReconnects(t *testing.T) {
	app := "wf-lost-" + time.Now().Format("150405.000000")
	s := openTest(t, pgtest.URL(t)+"&application_name="+app)
	ctx := context.Background()
	if err := s.Commit(ctx, batch(1, 5)); err != nil {
		t.Fatal(err)
	}
	killConnections(t, app)
	err := s.Commit(ctx, batch(6, 5))
	if err == nil {
		t.Fatal("a commit on a killed connection reported success")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:5432") && !strings.Contains(err.Error(), "localhost") {
		t.Logf("error does not name the host: %v", err)
	}
	// Nothing of the failed batch is there, and the next commit reconnects.
	if err := s.Commit(ctx, batch(6, 5)); err != nil {
		t.Fatalf("commit after reconnecting: %v", err)
	}
	if r, e := count(t, s); r != 10 || e != 10 {
		t.Fatalf("%d records, %d elements; want 10 and 10", r, e)
	}
}

func TestMigrateUpDownAndVersion(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	v, dirty, err := Migrate(ctx, url, "version")
	if err != nil || v != 0 || dirty {
		t.Fatalf("version of an empty schema: %d %v %v", v, dirty, err)
	}
	v, _, err = Migrate(ctx, url, "up")
	if err != nil || v < 2 {
		t.Fatalf("up: %d %v", v, err)
	}
	latest := v
	// Down undoes the last migration: the version before it, which is
	// latest-1 unless numbers reserved for other work are still free.
	if v, _, err = Migrate(ctx, url, "down"); err != nil || v >= latest || v == 0 {
		t.Fatalf("down: %d %v, want a version below %d", v, err, latest)
	}
	if _, _, err = Migrate(ctx, url, "sideways"); err == nil {
		t.Fatal("unknown direction accepted")
	}
	s := openTest(t, url)
	_ = s.Close()
	if v, _, err = Migrate(ctx, url, "version"); err != nil || v != latest {
		t.Fatalf("version after open: %d %v", v, err)
	}
}

func TestDirtySchemaStopsOpen(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	if _, _, err := Migrate(ctx, url, "up"); err != nil {
		t.Fatal(err)
	}
	s := openTest(t, url)
	if _, err := s.pool.Exec(ctx, "UPDATE schema_migrations SET dirty = true"); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	if _, err := Open(ctx, url, Options{}); err == nil || !strings.Contains(err.Error(), "dirty") {
		t.Fatalf("open of a dirty schema: %v", err)
	}
	if _, dirty, err := Migrate(ctx, url, "version"); err != nil || !dirty {
		t.Fatalf("version of a dirty schema: dirty=%v %v", dirty, err)
	}
}

// A database migrated from before log segments keeps its per-record log
// rows; ReadLog returns them first, then the segments.
func TestLogRowsFromBeforeSegmentsAreReadFirst(t *testing.T) {
	s := openTest(t, pgtest.URL(t))
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, "INSERT INTO log VALUES (1, 0, 1, 1, $1, $2, 1, 5, 0, '', $3)",
		int64(record.TypeVariable), int64(record.IntentVariableCreated), []byte(`{"name":"old"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, batch(2, 3)); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.ReadLog(ctx, 1, func(r *record.Record) error {
		got = append(got, fmt.Sprintf("%d:%s", r.Position, r.Value.(*record.VariableValue).Name))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "1:old 2:v 3:v 4:v" {
		t.Fatalf("log read as %v", got)
	}
	if records, _ := count(t, s); records != 4 {
		t.Fatalf("%d records counted", records)
	}
}

// A Load between a batch's Prepare and its Commit must not let a later
// batch take that batch's rows for new ones: the highest key it reads
// covers every key the store prepared.
func TestLoadBetweenPrepareAndCommitKeepsUpdatesUpdates(t *testing.T) {
	s := openTest(t, pgtest.URL(t))
	ctx := context.Background()
	first := batch(1, 3)
	if err := s.Prepare(first); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx); err != nil { // sees none of first's rows
		t.Fatal(err)
	}
	if err := s.Commit(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := batch(4, 1)
	done := first.Changes.Elements[2]
	done.State, done.EndTime = state.ElementCompleted, 9
	again.Changes.Elements = append(again.Changes.Elements, done)
	if err := s.Commit(ctx, again); err != nil {
		t.Fatalf("updating a row committed after a Load: %v", err)
	}
	if _, e := count(t, s); e != 4 {
		t.Fatalf("%d element rows, want 4", e)
	}
	var st string
	if err := s.pool.QueryRow(ctx, "SELECT state FROM element_instances WHERE key = 3").Scan(&st); err != nil || st != "COMPLETED" {
		t.Fatalf("row 3 is %q (%v), want COMPLETED", st, err)
	}
}
