package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// readChunk is how many records ReadLog reads per query; callbacks run
// between queries, holding no connection.
const readChunk = 1000

var readLog = tables.Log.Select("WHERE position >= ? ORDER BY position LIMIT ?")

// ReadLog implements store.Store.
func (s *Store) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	for {
		var recs []*record.Record
		err := s.guard(func() error {
			rows, err := s.r.QueryContext(ctx, readLog, from, readChunk)
			if err != nil {
				return err
			}
			defer func() { _ = rows.Close() }()
			for rows.Next() {
				r, err := tables.ScanRecord(rows.Scan)
				if err != nil {
					return err
				}
				recs = append(recs, r)
			}
			return rows.Err()
		})
		if err != nil {
			return fmt.Errorf("read log from position %d: %w", from, err)
		}
		for _, r := range recs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(recs) < readChunk {
			return nil
		}
		from = recs[len(recs)-1].Position + 1
	}
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
	if err != nil {
		return nil, fmt.Errorf("load state from %s: %w", s.path, err)
	}
	return snap, nil
}
