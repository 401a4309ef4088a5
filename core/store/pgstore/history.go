package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// SearchCorrelatedMessageSubscriptions implements
// store.CorrelatedMessageSubscriptionQuerier.
func (s *Store) SearchCorrelatedMessageSubscriptions(ctx context.Context, q store.Query) (store.Page[store.CorrelatedMessageSubscription], error) {
	return run(ctx, s, search.CorrelatedMessageSubscriptions, q)
}

// SequenceFlows implements store.SequenceFlowQuerier.
func (s *Store) SequenceFlows(ctx context.Context, processInstanceKey int64, tenants []string) ([]store.SequenceFlow, error) {
	out := []store.SequenceFlow{}
	err := s.query(ctx, tenants, search.SequenceFlowsSQL(processInstanceKey, tenants, search.Postgres), func(scan func(...any) error) error {
		f, err := search.ScanSequenceFlow(scan)
		out = append(out, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the sequence flows of process instance %d at %s: %w", processInstanceKey, s.host, err)
	}
	return out, nil
}

// query runs one statement in a read-only snapshot, as the read role when
// it is restricted to tenants and Options.ReadRole is set (see read).
func (s *Store) query(ctx context.Context, tenants []string, st search.Statement, row func(func(...any) error) error) error {
	return s.using(func() error {
		b := &pgx.Batch{}
		b.BeginTx(readOnly)
		if s.opts.ReadRole != "" && tenants != nil {
			b.Queue(setReader, s.opts.ReadRole, tenantSetting(tenants))
		}
		b.Queue(st.SQL, st.Args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				if err := row(rows.Scan); err != nil {
					return err
				}
			}
			return rows.Err()
		})
		br := s.pool.SendBatch(ctx, b)
		defer func() { _ = br.Tx().Rollback(context.WithoutCancel(ctx)) }()
		return br.Close()
	})
}

// Interface guards
var (
	_ store.CorrelatedMessageSubscriptionQuerier = (*Store)(nil)
	_ store.SequenceFlowQuerier                  = (*Store)(nil)
	_ store.UsageQuerier                         = (*Store)(nil)
)
