package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// Log compaction (migration 25) runs on the read pool's connections as the
// tables' owner, never on the commit connection: a checkpoint is read in a
// read-only repeatable-read transaction, and each delete batch is a short
// transaction of its own. Commits only insert at the log's head, which
// compaction never touches.

const compactCandidates = "SELECT first_position, last_position, records, data, hash FROM log_segments " +
	"WHERE first_position > $1 AND last_position <= $2 ORDER BY first_position LIMIT $3"

// compactCandidatesOf is compactCandidates for a part: its segments only.
func compactCandidatesOf(part tables.Part) string {
	if !part.Split() {
		return compactCandidates
	}
	return "SELECT first_position, last_position, records, data, hash FROM log_segments " +
		"WHERE first_position > $1 AND last_position <= $2" + part.AndPositions("first_position") + " ORDER BY first_position LIMIT $3"
}

// WriteCheckpoint implements store.LogCompactor.
func (s *Store) WriteCheckpoint(ctx context.Context, at time.Time) (store.CheckpointInfo, error) {
	var info store.CheckpointInfo
	err := s.using(func() error {
		var data []byte
		var ok bool
		err := func() error {
			tx, err := s.pool.BeginTx(ctx, readOnly)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
			if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
				return err
			}
			l := tables.Load{Queries: []tables.QueryFunc{pgQuery(ctx, tx)}, Variables: s.part.LoadVariablesLateral(), Part: s.part}
			info, data, ok, err = tables.TakeCheckpoint(l, at)
			return err
		}()
		if err != nil || !ok {
			return err
		}
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO log_checkpoints (position, hash, created_ms, state_bytes, data)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (position) DO NOTHING`,
				info.Position, info.Hash, info.Time.UnixMilli(), info.StateBytes, data); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM log_checkpoints WHERE position NOT IN
				(SELECT position FROM log_checkpoints`+s.part.WherePositions("position")+` ORDER BY position DESC LIMIT $1)`+
				s.part.AndPositions("position"), tables.KeepCheckpoints)
			return err
		})
	})
	if err != nil {
		return store.CheckpointInfo{}, fmt.Errorf("write a checkpoint (postgres at %s): %w", s.host, err)
	}
	return info, nil
}

// LogCheckpoint implements store.LogCompactor.
func (s *Store) LogCheckpoint(ctx context.Context) (store.Checkpoint, bool, error) {
	cp, ok, err := s.part.ReadCheckpoint(ctx, s.fetch)
	if err != nil {
		return cp, false, fmt.Errorf("%w (postgres at %s)", err, s.host)
	}
	return cp, ok, nil
}

// LogStatus implements store.LogCompactor.
func (s *Store) LogStatus(ctx context.Context) (store.LogStatus, error) {
	st, err := s.part.LogStatus(ctx, s.fetch)
	if err != nil {
		return st, fmt.Errorf("%w (postgres at %s)", err, s.host)
	}
	return st, nil
}

// CompactLog implements store.LogCompactor.
func (s *Store) CompactLog(ctx context.Context, req store.CompactRequest) (store.CompactResult, error) {
	res, err := tables.Compact(ctx, tables.Compaction{Fetch: s.fetch, Candidates: compactCandidatesOf(s.part), Delete: s.deleteSegments, Part: s.part}, req)
	if err != nil {
		return res, fmt.Errorf("compact the log (postgres at %s): %w", s.host, err)
	}
	return res, nil
}

func (s *Store) deleteSegments(ctx context.Context, first, last, n int64, old, anchor store.Anchor) error {
	return s.using(func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "DELETE FROM log_segments WHERE first_position >= $1 AND last_position <= $2", first, last)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != n {
				return fmt.Errorf("%d segments were there to delete, want %d", tag.RowsAffected(), n)
			}
			tag, err = tx.Exec(ctx, "UPDATE log_anchor SET position = $1, hash = $2 WHERE id = $4 AND position = $3",
				anchor.Position, anchor.Hash, old.Position, s.part.ID())
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("the anchor moved from position %d meanwhile", old.Position)
			}
			_, err = tx.Exec(ctx, "DELETE FROM log_checkpoints WHERE position < $1"+s.part.AndPositions("position"), anchor.Position)
			return err
		})
	})
}

// pgQuery runs queries in one transaction.
func pgQuery(ctx context.Context, tx pgx.Tx) tables.QueryFunc {
	return func(query string, each func(tables.Scan) error) error {
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
	}
}

// Interface guard
var _ store.LogCompactor = (*Store)(nil)
