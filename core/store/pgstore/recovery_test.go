package pgstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestRecoveredNoticesANewTimelineAndARecreatedTable(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	defer func() { _ = s.Close() }()
	exec := func(sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	recovered := func() string {
		t.Helper()
		r, err := s.Recovered(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// The first start records the identity; the next ones find it.
	if r := recovered(); r != "" {
		t.Fatalf("a new store reports %q", r)
	}
	if r := recovered(); r != "" {
		t.Fatalf("an unchanged store reports %q", r)
	}
	// A point-in-time recovery: the same database on another timeline.
	exec(`UPDATE recovery SET identity = regexp_replace(identity, 'timeline [0-9]+', 'timeline 999')`)
	r := recovered()
	if !strings.Contains(r, "timeline 999") || !strings.Contains(r, "recovered to a point in time") {
		t.Fatalf("a changed timeline reports %q", r)
	}
	if recovered() == "" {
		t.Fatal("the recovery was forgotten before the engine handled it")
	}
	if err := s.RecoveryHandled(ctx); err != nil {
		t.Fatal(err)
	}
	if r := recovered(); r != "" {
		t.Fatalf("after handling: %q", r)
	}
	// pg_restore: the table comes back with the same row, under a new OID.
	exec(`CREATE TABLE recovery_copy AS SELECT * FROM recovery;
		DROP TABLE recovery;
		CREATE TABLE recovery (id INT PRIMARY KEY CHECK (id = 1), pending TEXT NOT NULL, identity TEXT NOT NULL);
		INSERT INTO recovery SELECT * FROM recovery_copy;
		DROP TABLE recovery_copy`)
	if r := recovered(); !strings.Contains(r, "restored from a dump") {
		t.Fatalf("a recreated table reports %q", r)
	}
	if err := s.RecoveryHandled(ctx); err != nil {
		t.Fatal(err)
	}
	// A marker set by hand (or a tool) is reported as it is.
	exec(`UPDATE recovery SET pending = 'restored by the operator'`)
	if r := recovered(); r != "restored by the operator" {
		t.Fatalf("pending marker reports %q", r)
	}
}
