package sqlitestore

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// ElementStatistics implements store.StatisticsQuerier with one aggregate
// query on the read pool.
func (s *Store) ElementStatistics(ctx context.Context, q store.Query) ([]store.ElementStatistics, error) {
	st, err := search.ElementStatisticsSQL(q, search.SQLite)
	if err != nil {
		return nil, err
	}
	out := []store.ElementStatistics{}
	err = s.guard(func() error {
		rows, err := s.r.QueryContext(ctx, st.SQL, st.Args...)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
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
		return nil, fmt.Errorf("count element instances: %w", err)
	}
	return out, nil
}

// Interface guard
var _ store.StatisticsQuerier = (*Store)(nil)
