package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// ElementStatistics implements store.StatisticsQuerier with one aggregate
// query, read like a search: as the read role when the query is restricted
// to tenants and Options.ReadRole is set (see read).
func (s *Store) ElementStatistics(ctx context.Context, q store.Query) ([]store.ElementStatistics, error) {
	st, err := search.ElementStatisticsSQL(q, search.Postgres)
	if err != nil {
		return nil, err
	}
	out := []store.ElementStatistics{}
	err = s.using(func() error {
		b := &pgx.Batch{}
		b.BeginTx(readOnly)
		if s.opts.ReadRole != "" && q.Tenants != nil {
			b.Queue(setReader, s.opts.ReadRole, tenantSetting(q.Tenants))
		}
		b.Queue(st.SQL, st.Args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				r, err := search.ScanElementStatistics(rows.Scan)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
			return rows.Err()
		})
		br := s.pool.SendBatch(ctx, b)
		defer func() { _ = br.Tx().Rollback(context.WithoutCancel(ctx)) }()
		return br.Close()
	})
	if err != nil {
		return nil, fmt.Errorf("count element instances at %s: %w", s.host, err)
	}
	return out, nil
}

// Interface guard
var _ store.StatisticsQuerier = (*Store)(nil)
