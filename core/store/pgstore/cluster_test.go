package pgstore_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/conformance/storesuite"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/migrations"
)

// undoMigration30 makes the database at url look as it did before
// migration 30 and runs the migration's SQL again: migrating down would
// undo whichever migration is the last one.
func undoMigration30(t *testing.T, url string) {
	t.Helper()
	up, err := fs.ReadFile(migrations.Postgres, "postgres/0030_cluster_partitions.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	for _, sql := range []string{"ALTER TABLE meta DROP COLUMN partitions", string(up)} {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPartitionCountOfAStoreFromBeforeMigration30 runs the store suite's
// check of the migration that keeps the partition count.
func TestPartitionCountOfAStoreFromBeforeMigration30(t *testing.T) {
	storesuite.PartitionCountFromBeforeItWasKept(t, func(t *testing.T) (store.Store, func(*testing.T, store.Store) store.Store) {
		url := pgtest.URL(t)
		return open(t, url), func(t *testing.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			undoMigration30(t, url)
			return open(t, url)
		}
	})
}
