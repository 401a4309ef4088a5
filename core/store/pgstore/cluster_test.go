package pgstore_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
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

// TestPartitionCountOfAStoreFromBeforeMigration30 checks that migration 30
// gives a store that already holds records one partition, and leaves a
// store that holds none free to take the first count it is started with.
func TestPartitionCountOfAStoreFromBeforeMigration30(t *testing.T) {
	ctx := context.Background()
	for _, used := range []bool{true, false} {
		url := pgtest.URL(t)
		s := open(t, url)
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
		undoMigration30(t, url)
		s = open(t, url)
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
