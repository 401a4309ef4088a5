package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

var logQueries = tables.LogQueries{
	Records:  tables.Log.Select("WHERE position >= ? ORDER BY position LIMIT ?"),
	Segments: tables.LogSegments.Select("WHERE last_position >= ? ORDER BY first_position LIMIT ?"),
}

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	return tables.ReadLog(ctx, from, logQueries, s.fetch, s.opts.LogArchive, fn)
}

// Load implements store.Loader: the live rows, read in one snapshot.
func (s *Store) Load(ctx context.Context) (*state.Snapshot, error) {
	var snap *state.Snapshot
	err := s.guard(func() error {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		snap, err = tables.LoadSnapshot(func(query string, each func(tables.Scan) error) error {
			rows, err := tx.QueryContext(ctx, query)
			if err != nil {
				return err
			}
			defer func() { _ = rows.Close() }()
			for rows.Next() {
				if err := each(rows.Scan); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		return err
	})
	if err == nil {
		err = s.resetChain(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("load state from %s: %w", s.path, err)
	}
	return snap, nil
}

// resetChain reads the end of the log's hash chain, between commits: a
// batch prepared but never committed (the engine reloads after a failed
// commit) must not be what the next segment follows.
func (s *Store) resetChain(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.guard(func() error {
		last, err := lastHash(ctx, s.w)
		if err != nil {
			return fmt.Errorf("read the hash of the last log segment: %w", err)
		}
		return s.chain.Reset(last)
	})
}
