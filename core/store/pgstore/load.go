package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

var logQueries = tables.LogQueries{
	Records:  tables.Log.Select("WHERE position >= $1 ORDER BY position LIMIT $2"),
	Segments: tables.LogSegments.Select("WHERE last_position >= $1 ORDER BY first_position LIMIT $2"),
}

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	err := tables.ReadLog(ctx, from, logQueries, s.fetch, s.opts.LogArchive, fn)
	if err != nil {
		return fmt.Errorf("%w (postgres at %s)", err, s.host)
	}
	return nil
}

// readOnly is a snapshot that sees every batch committed before it began.
var readOnly = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// maxKeyQuery reads the highest key of any state row: each table's primary
// key answers it from one index page.
var maxKeyQuery = func() string {
	parts := make([]string, len(tables.State))
	for i, t := range tables.State {
		parts[i] = "(SELECT max(" + t.Columns[0].Name + ") FROM " + t.Name + ")"
	}
	return "SELECT coalesce(greatest(" + strings.Join(parts, ", ") + "), 0)"
}()

// readMaxKey reads the highest key stored, which Prepare needs, with no
// commit running. Rows prepared but not committed yet may hold higher keys,
// so the maximum also covers every key this store prepared: a higher one
// only sends more rows through update-or-insert, which is always right.
func (s *Store) readMaxKey(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	var top int64
	if err := s.pool.QueryRow(ctx, maxKeyQuery).Scan(&top); err != nil {
		return fmt.Errorf("read the highest key: %w", err)
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	s.maxKey = max(s.maxKey, s.preparedKey, top)
	return nil
}

// Load implements store.Loader: the live rows, read in one snapshot, and
// the highest key stored.
func (s *Store) Load(ctx context.Context) (*state.Snapshot, error) {
	var snap *state.Snapshot
	err := s.using(func() error {
		tx, err := s.pool.BeginTx(ctx, readOnly)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		// Load sorts every live row by key: with the default work_mem a
		// hundred thousand running instances sort on disk.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
			return err
		}
		snap, err = tables.LoadSnapshot(func(query string, each func(tables.Scan) error) error {
			rows, err := tx.Query(ctx, query)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if err := each(rows.Scan); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		if err != nil {
			return err
		}
		if err := s.readMaxKey(ctx); err != nil {
			return err
		}
		return s.resetChain(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("load state from postgres at %s: %w", s.host, err)
	}
	return snap, nil
}

// lastHash reads the hash of the last log segment; nil when there is none
// or it was written before the hash chain began.
func lastHash(ctx context.Context, q interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}) ([]byte, error) {
	var h []byte
	err := q.QueryRow(ctx, tables.LastHashQuery).Scan(&h)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return h, err
}

// resetChain reads the end of the log's hash chain with no commit running:
// a batch prepared but never committed (the engine reloads after a failed
// commit) must not be what the next segment follows.
func (s *Store) resetChain(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	last, err := lastHash(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("read the hash of the last log segment: %w", err)
	}
	return s.chain.Reset(last)
}
