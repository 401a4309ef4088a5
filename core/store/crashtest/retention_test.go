package crashtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

// The retention child is this test binary running TestRetentionChild with
// these variables set (not envChild: TestMain would run the load child).
// WF_TEST_RETENTION_PAUSE makes the stores pause a removal batch inside its
// transaction, after its first delete, and create the named file.
const (
	envRetentionKind   = "WF_RETENTION_CHILD_KIND"
	envRetentionTarget = "WF_RETENTION_CHILD_TARGET"
	envRetentionPause  = "WF_TEST_RETENTION_PAUSE"
)

// everything is a policy under which every finished instance is due.
var everything = store.RetentionPolicy{Cutoff: time.Now().Add(1000 * time.Hour)}

// TestRetentionChild removes finished instances until the parent kills it;
// the pause hook stops it inside its first batch's transaction, and the
// child prints "paused" once the hook's file exists.
func TestRetentionChild(t *testing.T) {
	kind := os.Getenv(envRetentionKind)
	if kind == "" {
		t.Skip("runs as the child of TestCrashInRetentionBatch*")
	}
	ctx := context.Background()
	s, err := openStore(ctx, kind, os.Getenv(envRetentionTarget), nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, err := os.Stat(os.Getenv(envRetentionPause)); err == nil {
				_, _ = fmt.Fprintln(os.Stdout, "paused")
				return
			}
			time.Sleep(10 * time.Millisecond) // polling for the store's marker; the parent kills the child at childTimeout
		}
	}()
	_, err = s.(store.Retainer).RemoveFinished(ctx, everything, 1000)
	t.Fatalf("the removal returned (%v) instead of pausing for the kill", err)
}

func TestCrashInRetentionBatchSQLite(t *testing.T) {
	crashRetention(t, "sqlite", filepath.Join(t.TempDir(), "data", "wf.db"))
}

func TestCrashInRetentionBatchPostgres(t *testing.T) {
	crashRetention(t, "postgres", pgtest.URL(t))
}

// crashRetention fills a store with finished and live instances, kills a
// child in the middle of a removal batch, and checks that no instance was
// half removed, the replay check passes, and a new run removes every
// finished instance whole.
func crashRetention(t *testing.T, kind, target string) {
	ctx := context.Background()
	const finished = 40
	s := mustOpen(t, kind, target, nil)
	f := storesuite.NewRetentionFixture(t, s, time.Now().Add(-24*time.Hour))
	var ended, live []int64
	for i := range finished {
		k := f.Start([]string{"short", "long"}[i%2])
		f.End(k) // terminated, with a canceled user task
		ended = append(ended, k)
	}
	live = append(live, f.StartWaiting("short"), f.Start("long"))
	if err := f.E.Close(); err != nil {
		t.Fatal(err)
	}
	before := map[int64]map[string]int{}
	for _, k := range append(append([]int64{}, ended...), live...) {
		before[k] = storesuite.InstanceRows(t, s, k)
	}
	countsBefore := tableCounts(t, kind, target)
	orphans(t, kind, target)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A child starts removing and is killed inside its first batch.
	marker := filepath.Join(t.TempDir(), "paused")
	killed, err := killChild(t, "^TestRetentionChild$", []string{envRetentionKind + "=" + kind, envRetentionTarget + "=" + target,
		envRetentionPause + "=" + marker}, func(line string) bool { return line == "paused" })
	if !killed {
		t.Fatalf("the child never paused inside a removal batch (it ended: %v)", err)
	}
	if err == nil {
		t.Fatal("the killed child exited cleanly")
	}

	// Nothing of the batch is left: every instance is whole.
	s = mustOpen(t, kind, target, nil)
	defer func() { _ = s.Close() }()
	for k, want := range before {
		if got := storesuite.InstanceRows(t, s, k); !maps.Equal(got, want) {
			t.Errorf("after the kill instance %d has %v, had %v", k, got, want)
		}
	}
	if got := tableCounts(t, kind, target); !maps.Equal(got, countsBefore) {
		t.Errorf("after the kill the tables hold %v, held %v", got, countsBefore)
	}
	orphans(t, kind, target)
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatalf("replay check after the kill: %v", err)
	}

	// A new run finishes the removal.
	r := s.(store.Retainer)
	removed := 0
	for {
		res, err := r.RemoveFinished(ctx, everything, 7)
		if err != nil {
			t.Fatal(err)
		}
		removed += res.Instances
		if !res.More {
			break
		}
	}
	if removed != len(ended) {
		t.Errorf("the new run removed %d instances, want %d", removed, len(ended))
	}
	for _, k := range ended {
		if got := storesuite.InstanceRows(t, s, k); len(got) != 0 {
			t.Errorf("finished instance %d still has %v", k, got)
		}
	}
	for _, k := range live {
		if got := storesuite.InstanceRows(t, s, k); !maps.Equal(got, before[k]) {
			t.Errorf("live instance %d has %v, had %v", k, got, before[k])
		}
	}
	orphans(t, kind, target)
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatalf("replay check after the removal: %v", err)
	}
}

// query runs one counting statement on the store's database.
func query(t *testing.T, kind, target, q string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	switch kind {
	case "sqlite":
		db, err := sql.Open("sqlite", target)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = db.Close() }()
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	case "postgres":
		c, err := pgx.Connect(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close(ctx) }()
		if err := c.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	default:
		t.Fatal(errors.New("unknown store kind " + kind))
	}
	return n
}

// tableCounts counts the rows of every table retention deletes from.
func tableCounts(t *testing.T, kind, target string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tab := range tables.InstanceTables {
		out[tab] = query(t, kind, target, "SELECT count(*) FROM "+tab)
	}
	return out
}

// orphans fails the test when a row of an instance table belongs to no
// process instance: a half-removed instance.
func orphans(t *testing.T, kind, target string) {
	t.Helper()
	for _, tab := range tables.InstanceTables {
		n := query(t, kind, target, fmt.Sprintf(`SELECT count(*) FROM %s x WHERE x.process_instance_key > 0 AND NOT EXISTS (
			SELECT 1 FROM element_instances p WHERE p.key = x.process_instance_key AND p.flow_scope_key = -1)`, tab))
		if n != 0 {
			t.Errorf("%s has %d rows of no process instance", tab, n)
		}
	}
}
