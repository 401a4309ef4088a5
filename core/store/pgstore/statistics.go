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
// to tenants and Options.ReadRole is set (see read). The statistics of one
// definition add the rollup's counts (statsrollup.go) to the rows not
// counted yet; the marks are read first, in the same snapshot, as the
// owner (the read role reads only the tables with tenants).
func (s *Store) ElementStatistics(ctx context.Context, q store.Query) ([]store.ElementStatistics, error) {
	st, err := search.ElementStatisticsSQL(q, search.Postgres)
	if err != nil {
		return nil, err
	}
	out := []store.ElementStatistics{}
	err = s.using(func() error {
		out = out[:0]
		tx, err := s.pool.BeginTx(ctx, readOnly)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		rows, err := tx.Query(ctx, statisticsMarks)
		if err != nil {
			return err
		}
		marks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[search.UsageMark])
		if err != nil {
			return fmt.Errorf("read the statistics marks: %w", err)
		}
		rolled, ok, err := search.ElementStatisticsRolledSQL(q, marks, search.Postgres)
		if err != nil {
			return err
		}
		if ok {
			st = rolled
		}
		if s.opts.ReadRole != "" && q.Tenants != nil {
			if _, err := tx.Exec(ctx, setReader, s.opts.ReadRole, tenantSetting(q.Tenants)); err != nil {
				return err
			}
		}
		rows, err = tx.Query(ctx, st.SQL, st.Args...)
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
