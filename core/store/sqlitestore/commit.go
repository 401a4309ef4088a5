package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// chunks are the row counts of the prepared multi-row inserts: a batch is
// written with as few statements of these sizes as fit.
var chunks = []int{256, 64, 16, 4, 1}

type stmtKey struct {
	table string
	rows  int
	// keeping: the statement of tables.Table.InsertValuesKeeping.
	keeping bool
}

const updateMeta = "UPDATE meta SET last_key = ?, last_position = ? WHERE id = 1"

// Prepare implements store.Preparer: it encodes the batch's records and
// rows, on the engine's committer while the loop runs the next commands, and
// links its log segment to the one prepared before.
func (s *Store) Prepare(b *store.Batch) error { return tables.Prepare(b, &s.chain) }

// Commit implements store.Store: the batch's records, its state rows and
// the counters, in one transaction.
func (s *Store) Commit(ctx context.Context, b *store.Batch) error {
	rows, err := tables.Prepared(b, &s.chain)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.guard(func() error {
		err := s.write(ctx, b, rows)
		s.chain.Done(rows, err)
		if err != nil {
			return fmt.Errorf("commit batch at position %d: %w", b.Changes.LastPosition, err)
		}
		return nil
	})
}

func (s *Store) write(ctx context.Context, b *store.Batch, rows *tables.Encoded) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	_, err = s.chain.Link(rows, func() ([]byte, error) { return lastHash(ctx, tx) })
	if err != nil {
		return err
	}
	if err := s.insert(ctx, tx, rows.Log); err != nil {
		return err
	}
	for _, r := range rows.State {
		if err := s.insert(ctx, tx, r); err != nil {
			return err
		}
	}
	history, err := tables.EncodeHistory(b.Records)
	if err != nil {
		return err
	}
	for _, r := range history {
		if err := s.insert(ctx, tx, r); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, updateMeta, b.Changes.LastKey, b.Changes.LastPosition); err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	if s.failAfterWrite != nil {
		return s.failAfterWrite
	}
	if err := tx.Commit(); err != nil {
		// SQLite may have rolled back already (disk full, I/O error) or
		// may keep the transaction open (busy); make sure it is gone.
		_, _ = s.w.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	return nil
}

// insert writes rows with the prepared multi-row statements. A table with
// stable columns is written with the statement that keeps their index
// entries (tables.Table.InsertValuesKeeping); when it changes fewer rows
// than it was given, a stable column of an existing row changed, and the
// rows are written again with the plain upsert (writing a row twice leaves
// it as written once).
func (s *Store) insert(ctx context.Context, tx *sql.Tx, r *tables.Rows) error {
	args := make([]any, 0, chunks[0]*len(r.T.Columns))
	keeping := len(r.T.Stable) > 0
	for i := 0; i < r.Len(); {
		n := chunks[len(chunks)-1]
		for _, c := range chunks {
			if r.Len()-i >= c {
				n = c
				break
			}
		}
		args = args[:0]
		for k := i; k < i+n; k++ {
			args = r.AppendRow(args, k)
		}
		written, err := s.exec(ctx, tx, r.T, n, keeping, args)
		if err == nil && written < int64(n) {
			_, err = s.exec(ctx, tx, r.T, n, false, args)
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", r.T.Name, err)
		}
		i += n
	}
	return nil
}

// exec runs the prepared insert of n rows into t and returns how many rows
// it inserted or updated.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, t *tables.Table, n int, keeping bool, args []any) (int64, error) {
	st := s.stmts[stmtKey{t.Name, n, keeping}]
	if st == nil {
		return 0, fmt.Errorf("no prepared insert of %d rows into %s", n, t.Name)
	}
	res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	if !keeping {
		return int64(n), nil
	}
	return res.RowsAffected()
}

// prepare prepares every insert statement. It runs at Open: a statement
// prepared on the writer pool while a transaction holds its only
// connection would wait forever.
func (s *Store) prepare(ctx context.Context) error {
	tabs := append(append([]*tables.Table{tables.LogSegments}, tables.State...), tables.History...)
	for _, t := range tabs {
		for _, n := range chunks {
			st, err := s.w.PrepareContext(ctx, t.InsertValues(n))
			if err != nil {
				return fmt.Errorf("prepare insert into %s: %w", t.Name, err)
			}
			s.stmts[stmtKey{t.Name, n, false}] = st
			if len(t.Stable) == 0 {
				continue
			}
			if st, err = s.w.PrepareContext(ctx, t.InsertValuesKeeping(n)); err != nil {
				return fmt.Errorf("prepare insert into %s: %w", t.Name, err)
			}
			s.stmts[stmtKey{t.Name, n, true}] = st
		}
	}
	return nil
}

// lastHash reads the hash of the last log segment; nil when there is none
// or it was written before the hash chain began.
func lastHash(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) ([]byte, error) {
	var h []byte
	err := q.QueryRowContext(ctx, tables.LastHashQuery).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return h, err
}
