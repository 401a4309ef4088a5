package sqlitestore

import (
	"context"
	"fmt"

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
	err := s.query(ctx, search.SequenceFlowsSQL(processInstanceKey, tenants, search.SQLite), func(scan func(...any) error) error {
		f, err := search.ScanSequenceFlow(scan)
		out = append(out, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the sequence flows of process instance %d: %w", processInstanceKey, err)
	}
	return out, nil
}

// Usage implements store.UsageQuerier.
func (s *Store) Usage(ctx context.Context, q store.UsageQuery) (map[string]store.Usage, int64, error) {
	var u search.UsageCounts
	if err := s.query(ctx, search.UsageSQL(q, search.SQLite), u.ScanUsage); err != nil {
		return nil, 0, fmt.Errorf("count usage: %w", err)
	}
	return u.PerTenant, u.Assignees, nil
}

// query runs one statement on the read pool.
func (s *Store) query(ctx context.Context, st search.Statement, row func(func(...any) error) error) error {
	return s.guard(func() error {
		rows, err := s.r.QueryContext(ctx, st.SQL, st.Args...)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			if err := row(rows.Scan); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// Interface guards
var (
	_ store.CorrelatedMessageSubscriptionQuerier = (*Store)(nil)
	_ store.SequenceFlowQuerier                  = (*Store)(nil)
	_ store.UsageQuerier                         = (*Store)(nil)
)
