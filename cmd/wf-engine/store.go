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
	kind, where, err := cfg.store()
	if err != nil {
		return nil, "", err
	}
	switch kind {
	case storePostgres:
		s, err := pgstore.Open(ctx, where, pgstore.Options{MaxConns: cfg.MaxConns, ReadRole: cfg.ReadRole})
		if err != nil {
			return nil, "", err
		}
		return s, kind, nil
	case storeSQLite:
		s, err := sqlitestore.Open(ctx, where, sqlitestore.Options{Synchronous: cfg.SQLiteSynchronous})
		if err != nil {
			return nil, "", err
		}
		return s, kind, nil
	}
	return memstore.New(memstore.Options{}), storeMemory, nil
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
// compares the result with its state rows.
func checkReplay(ctx context.Context, cfg DatabaseConfig, out io.Writer) error {
	s, _, err := openStore(ctx, cfg)
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
