package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/migrations"
)

// undoMigration29 makes the database at path look as it did before
// migration 29 and runs the migration's SQL again: migrating down would
// undo whichever migration is the last one.
func undoMigration29(t *testing.T, path string) {
	t.Helper()
	up, err := fs.ReadFile(migrations.SQLite, "sqlite/0029_cluster_partitions.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, q := range []string{"ALTER TABLE meta DROP COLUMN partitions", string(up)} {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPartitionCountOfAStoreFromBeforeMigration29 checks that migration 29
// gives a store that already holds records one partition, and leaves a
// store that holds none free to take the first count it is started with.
func TestPartitionCountOfAStoreFromBeforeMigration29(t *testing.T) {
	ctx := context.Background()
	for _, used := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "wf.db")
		s := open(t, path)
		if used {
			err := s.Commit(ctx, &store.Batch{Records: []*record.Record{{Position: 1, Key: record.Key(1, 1), Kind: record.KindCommand,
				ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}}},
				Changes: state.Changes{LastKey: record.Key(1, 1), LastPosition: 1}})
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		undoMigration29(t, path)
		s = open(t, path)
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

// TestOneEngineProcessPerFile opens a store for an engine twice: the second
// is refused and says SQLite is single-node; a store opened without
// Options.Engine (a tool reading it) is not, and the engine lock is free
// again once the first store closed.
func TestOneEngineProcessPerFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	first, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Engine: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlitestore.Open(ctx, path, sqlitestore.Options{Engine: true})
	if err == nil || !strings.Contains(err.Error(), "SQLite is single-node") {
		t.Fatalf("a second engine on the file: got %v, want a refusal", err)
	}
	tool, err := sqlitestore.Open(ctx, path, sqlitestore.Options{})
	if err != nil {
		t.Fatalf("a tool beside the engine: %v", err)
	}
	if err := tool.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Engine: true})
	if err != nil {
		t.Fatalf("an engine after the first closed: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}
