package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
)

// openStore opens the store the configuration selects; SQLite and
// PostgreSQL stores migrate their schema as they open.
func openStore(ctx context.Context, cfg DatabaseConfig) (store.Store, storeKind, error) {
	return openStoreWith(ctx, cfg, nil)
}

// openStoreWith is openStore whose store reads the records log compaction
// archived from archive (nil: none).
func openStoreWith(ctx context.Context, cfg DatabaseConfig, archive store.LogArchive) (store.Store, storeKind, error) {
	return openStoreFor(ctx, cfg, archive, false)
}

// openStoreFor is openStoreWith for the process that runs the engine on
// the store (engine): a SQLite store refuses a second such process.
func openStoreFor(ctx context.Context, cfg DatabaseConfig, archive store.LogArchive, engine bool) (store.Store, storeKind, error) {
	kind, where, err := cfg.store()
	if err != nil {
		return nil, "", err
	}
	switch kind {
	case storePostgres:
		s, err := pgstore.Open(ctx, where, pgstore.Options{MaxConns: cfg.MaxConns, ReadRole: cfg.ReadRole, LogArchive: archive})
		if err != nil {
			return nil, "", err
		}
		return s, kind, nil
	case storeSQLite:
		s, err := sqlitestore.Open(ctx, where, sqlitestore.Options{Synchronous: cfg.SQLiteSynchronous, LogArchive: archive, Engine: engine})
		if err != nil {
			return nil, "", err
		}
		return s, kind, nil
	}
	return memstore.New(memstore.Options{LogArchive: archive}), storeMemory, nil
}

// migrate runs `wf-engine migrate up|down|version` against the configured store.
func migrate(ctx context.Context, cfg DatabaseConfig, direction string, out io.Writer) error {
	switch direction {
	case "up", "down", "version":
	default:
		return fmt.Errorf("migrate: expected up, down or version, got %q", direction)
	}
	kind, where, err := cfg.store()
	if err != nil {
		return err
	}
	var version uint
	var dirty bool
	switch kind {
	case storePostgres:
		version, dirty, err = pgstore.Migrate(ctx, where, direction)
	case storeSQLite:
		version, dirty, err = sqlitestore.Migrate(ctx, where, direction)
	default:
		return errors.New("migrate: the in-memory store has no schema")
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "schema version %d (dirty: %t)\n", version, dirty)
	return err
}

// checkReplay runs `wf-engine replaycheck`: it replays each partition's
// log and compares the result with the state rows that partition owns.
// After log compaction it replays the archive in retention.archive_dir
// from the log's start, or without one starts from the partition's newest
// checkpoint.
func checkReplay(ctx context.Context, cfg Config, out io.Writer) error {
	a, err := openArchive(cfg.Retention.ArchiveDir)
	if err != nil {
		return err
	}
	s, _, err := openStoreWith(ctx, cfg.Database, storeArchive(a))
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	views, err := partitionViews(ctx, cfg.Cluster, s)
	if err != nil {
		return fmt.Errorf("replay check: %w", err)
	}
	var errs []error
	for i, v := range views {
		if err := replaycheck.CheckPartition(ctx, v, int32(i+1)); err != nil { // #nosec G115 -- at most 4,095 partitions
			if len(views) > 1 {
				err = fmt.Errorf("partition %d: %w", i+1, err)
			}
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	what := "the log and the state rows agree"
	if len(views) > 1 {
		what = fmt.Sprintf("each of the %d partitions' logs and its state rows agree", len(views))
	}
	_, err = fmt.Fprintln(out, "replay check passed: "+what)
	return err
}

// partitionViews checks cluster.partitions against the count s keeps and
// returns the store of each partition (s itself when there is one), for
// the tools that read a log: every partition has its own.
func partitionViews(ctx context.Context, c ClusterConfig, s store.Store) ([]store.Store, error) {
	if err := checkPartitions(ctx, c, s); err != nil {
		return nil, err
	}
	return openViews(s, c.Partitions)
}
