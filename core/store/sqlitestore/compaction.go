package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Log compaction (migration 24): checkpoints are read on a read
// connection's transaction, beside the writer; writing them and deleting
// segments run on the writer connection between commits, each in one
// short transaction (like DeleteExpiredDocuments).

const compactCandidates = "SELECT first_position, last_position, records, data, hash FROM log_segments " +
	"WHERE first_position > ? AND last_position <= ? ORDER BY first_position LIMIT ?"

// WriteCheckpoint implements store.LogCompactor.
func (s *Store) WriteCheckpoint(ctx context.Context, at time.Time) (store.CheckpointInfo, error) {
	var info store.CheckpointInfo
	var data []byte
	var ok bool
	err := s.guard(func() error {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		info, data, ok, err = tables.TakeCheckpoint(tables.Load{Queries: []tables.QueryFunc{txQuery(ctx, tx)}}, at)
		return err
	})
	if err != nil {
		return info, fmt.Errorf("take a checkpoint of %s: %w", s.path, err)
	}
	if !ok {
		return store.CheckpointInfo{}, nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.guard(func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_checkpoints (position, hash, created_ms, state_bytes, data)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (position) DO NOTHING`,
			info.Position, info.Hash, info.Time.UnixMilli(), info.StateBytes, data); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM log_checkpoints WHERE position NOT IN
			(SELECT position FROM log_checkpoints ORDER BY position DESC LIMIT ?)`, tables.KeepCheckpoints); err != nil {
			return err
		}
		return tx.Commit()
	})
	if err != nil {
		return info, fmt.Errorf("write a checkpoint into %s: %w", s.path, err)
	}
	return info, nil
}

// LogCheckpoint implements store.LogCompactor.
func (s *Store) LogCheckpoint(ctx context.Context) (store.Checkpoint, bool, error) {
	cp, ok, err := tables.ReadCheckpoint(ctx, s.fetch)
	if err != nil {
		return cp, false, fmt.Errorf("%s: %w", s.path, err)
	}
	return cp, ok, nil
}

// LogStatus implements store.LogCompactor.
func (s *Store) LogStatus(ctx context.Context) (store.LogStatus, error) {
	st, err := tables.LogStatus(ctx, s.fetch)
	if err != nil {
		return st, fmt.Errorf("%s: %w", s.path, err)
	}
	return st, nil
}

// CompactLog implements store.LogCompactor: segments are read on the read
// pool, archived, then deleted on the writer between commits.
func (s *Store) CompactLog(ctx context.Context, req store.CompactRequest) (store.CompactResult, error) {
	res, err := tables.Compact(ctx, tables.Compaction{Fetch: s.fetch, Candidates: compactCandidates, Delete: s.deleteSegments}, req)
	if err != nil {
		return res, fmt.Errorf("compact the log of %s: %w", s.path, err)
	}
	return res, nil
}

func (s *Store) deleteSegments(ctx context.Context, first, last, n int64, old, anchor store.Anchor) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.guard(func() error {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		res, err := tx.ExecContext(ctx, "DELETE FROM log_segments WHERE first_position >= ? AND last_position <= ?", first, last)
		if err != nil {
			return err
		}
		got, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if got != n {
			return fmt.Errorf("%d segments were there to delete, want %d", got, n)
		}
		res, err = tx.ExecContext(ctx, "UPDATE log_anchor SET position = ?, hash = ? WHERE id = 1 AND position = ?",
			anchor.Position, anchor.Hash, old.Position)
		if err != nil {
			return err
		}
		if got, err = res.RowsAffected(); err != nil {
			return err
		}
		if got != 1 {
			return fmt.Errorf("the anchor moved from position %d meanwhile", old.Position)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM log_checkpoints WHERE position < ?", anchor.Position); err != nil {
			return err
		}
		return tx.Commit()
	})
}

// txQuery runs queries in one read transaction.
func txQuery(ctx context.Context, tx *sql.Tx) tables.QueryFunc {
	return func(query string, each func(tables.Scan) error) error {
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
	}
}

// Interface guard
var _ store.LogCompactor = (*Store)(nil)
