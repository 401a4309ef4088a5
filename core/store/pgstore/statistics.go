package pgstore

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// ElementStatistics implements store.StatisticsQuerier with one aggregate
// query, read like a search: as the read role when the query is restricted
// to tenants and Options.ReadRole is set (see read). The statistics of one
// definition, of all its process instances or of those in given states,
// read the live counters of migrations 38 and 42
// (search.ElementStatisticsCountedSQL) instead of the rows.
func (s *Store) ElementStatistics(ctx context.Context, q store.Query) ([]store.ElementStatistics, error) {
	st, err := search.ElementStatisticsSQL(q, search.Postgres)
	if err != nil {
		return nil, err
	}
	counted, ok, err := search.ElementStatisticsCountedSQL(q, search.Postgres)
	if err != nil {
		return nil, err
	}
	if ok {
		st = counted
	}
	out := []store.ElementStatistics{}
	err = s.using(func() error {
		out = out[:0]
		tx, err := s.pool.BeginTx(ctx, readOnly)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		if s.opts.ReadRole != "" && q.Tenants != nil {
			if _, err := tx.Exec(ctx, setReader, s.opts.ReadRole, tenantSetting(q.Tenants)); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, st.SQL, st.Args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := search.ScanElementStatistics(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("count element instances at %s: %w", s.host, err)
	}
	return out, nil
}

// Interface guard
var _ store.StatisticsQuerier = (*Store)(nil)
