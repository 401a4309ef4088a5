package memstore

import (
	"context"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// history projects the kept log, as the durable stores do when they
// commit; the caller holds the read lock. With Options.DiscardLog it is
// empty.
func (s *Store) history() store.History { return store.HistoryOf(s.log) }

// SearchCorrelatedMessageSubscriptions implements
// store.CorrelatedMessageSubscriptionQuerier.
func (s *Store) SearchCorrelatedMessageSubscriptions(_ context.Context, q store.Query) (store.Page[store.CorrelatedMessageSubscription], error) {
	return run(s, search.CorrelatedMessageSubscriptions, q, func() []store.CorrelatedMessageSubscription {
		return s.history().Correlations
	})
}

// SequenceFlows implements store.SequenceFlowQuerier.
func (s *Store) SequenceFlows(_ context.Context, processInstanceKey int64, tenants []string) ([]store.SequenceFlow, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	return search.SequenceFlows(s.history().SequenceFlows, processInstanceKey, tenants), nil
}

// Usage implements store.UsageQuerier.
func (s *Store) Usage(_ context.Context, q store.UsageQuery) (map[string]store.Usage, int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, 0, store.ErrClosed
	}
	u := search.Usage(q, s.processInstances(), s.history().Assignments)
	return u.PerTenant, u.Assignees, nil
}

// Interface guards
var (
	_ store.CorrelatedMessageSubscriptionQuerier = (*Store)(nil)
	_ store.SequenceFlowQuerier                  = (*Store)(nil)
	_ store.UsageQuerier                         = (*Store)(nil)
)
