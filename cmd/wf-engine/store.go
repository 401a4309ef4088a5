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

// checkReplay runs `wf-engine replaycheck`: it replays the store's log and
// compares the result with its state rows. After log compaction it replays
// the archive in archiveDir (retention.archive_dir) from the log's start,
// or without one starts from the store's newest checkpoint.
func checkReplay(ctx context.Context, cfg DatabaseConfig, archiveDir string, out io.Writer) error {
	a, err := openArchive(archiveDir)
	if err != nil {
		return err
	}
	s, _, err := openStoreWith(ctx, cfg, storeArchive(a))
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	if err := replaycheck.Check(ctx, s); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, "replay check passed: the log and the state rows agree")
	return err
}
