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
		err := s.reading(func() error {
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
	snap := &state.Snapshot{}
	err := s.reading(func() error {
		tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := tx.QueryRowContext(ctx, tables.LoadMeta).Scan(&snap.LastKey, &snap.LastPosition); err != nil {
			return fmt.Errorf("read meta: %w", err)
		}
		if snap.Processes, err = load(ctx, tx, tables.LoadProcesses, tables.ScanProcess); err != nil {
			return err
		}
		if snap.Elements, err = load(ctx, tx, tables.LoadElements, tables.ScanElement); err != nil {
			return err
		}
		if snap.Variables, err = load(ctx, tx, tables.LoadVariables, tables.ScanVariable); err != nil {
			return err
		}
		if snap.Jobs, err = load(ctx, tx, tables.LoadJobs, tables.ScanJob); err != nil {
			return err
		}
		snap.Incidents, err = load(ctx, tx, tables.LoadIncidents, tables.ScanIncident)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load state from %s: %w", s.path, err)
	}
	return snap, nil
}

func load[T any](ctx context.Context, tx *sql.Tx, query string, scan func(tables.Scan) (T, error)) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
