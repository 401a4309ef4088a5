package memstore

import (
	"context"
	"slices"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// history projects the kept log, as the durable stores do when they
// commit; the caller holds the read lock. With Options.DiscardLog it is
// empty.
func (s *Store) history() store.History {
	h := store.HistoryOf(s.allLogs())
	if len(s.retained.instances) == 0 {
		return h
	}
	// Retention removed these instances' rows; their records stay.
	gone := s.retained.gone
	h.SequenceFlows = slices.DeleteFunc(h.SequenceFlows, func(f store.SequenceFlow) bool { return gone(f.ProcessInstanceKey) })
	h.Correlations = slices.DeleteFunc(h.Correlations, func(c store.CorrelatedMessageSubscription) bool { return gone(c.ProcessInstanceKey) })
	h.Tags = slices.DeleteFunc(h.Tags, func(t store.InstanceTags) bool { return gone(t.ProcessInstanceKey) })
	h.IncidentHashes = slices.DeleteFunc(h.IncidentHashes, func(i store.IncidentHash) bool { return gone(i.ProcessInstanceKey) })
	return h
}

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
	u := search.Usage(q, s.processInstances(), s.retained.usage, s.history().Assignments)
	return u.PerTenant, u.Assignees, nil
}

// Interface guards
var (
	_ store.CorrelatedMessageSubscriptionQuerier = (*Store)(nil)
	_ store.SequenceFlowQuerier                  = (*Store)(nil)
	_ store.UsageQuerier                         = (*Store)(nil)
)
