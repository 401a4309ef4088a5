package sqlitestore_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/conformance/storesuite"
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

// TestPartitionCountOfAStoreFromBeforeMigration29 runs the store suite's
// check of the migration that keeps the partition count.
func TestPartitionCountOfAStoreFromBeforeMigration29(t *testing.T) {
	storesuite.PartitionCountFromBeforeItWasKept(t, func(t *testing.T) (store.Store, func(*testing.T, store.Store) store.Store) {
		path := filepath.Join(t.TempDir(), "wf.db")
		return open(t, path), func(t *testing.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			undoMigration29(t, path)
			return open(t, path)
		}
	})
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
