package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// CompensationSubscription is a completed activity that a compensation
// throw or end event can compensate, or a completed scope with such
// activities inside (CompensationHandlerID ""). It lives until its handler
// completed or its process instance ended.
type CompensationSubscription struct {
	Key   int64
	Value record.CompensationSubscriptionValue
}

// CompensationSubscriptionRow is the stored form of a compensation
// subscription; Live false marks one that was completed or deleted.
type CompensationSubscriptionRow struct {
	CompensationSubscription
	Live bool
}

// compensations holds the compensation subscriptions of a partition.
type compensations struct {
	subs      map[int64]*CompensationSubscription
	byProcess map[int64]map[int64]struct{} // process instance key
	byHandler map[int64]int64              // handler element instance key -> subscription key
}

func newCompensations() compensations {
	return compensations{subs: map[int64]*CompensationSubscription{}, byProcess: map[int64]map[int64]struct{}{},
		byHandler: map[int64]int64{}}
}

// CompensationSubscriptionsOf returns the compensation subscriptions of a
// process instance in key order, which is the order their activities
// completed in.
func (s *State) CompensationSubscriptionsOf(processInstanceKey int64) []*CompensationSubscription {
	return pickAll(s.cmp.subs, s.cmp.byProcess[processInstanceKey])
}

// CompensationByHandler returns the triggered compensation subscription
// whose handler runs as the given element instance, or nil.
func (s *State) CompensationByHandler(handlerInstanceKey int64) *CompensationSubscription {
	if k, ok := s.cmp.byHandler[handlerInstanceKey]; ok {
		return s.cmp.subs[k]
	}
	return nil
}

// CompensationSubscriptions returns every compensation subscription, in
// key order.
func (s *State) CompensationSubscriptions() []*CompensationSubscription {
	out := make([]*CompensationSubscription, 0, len(s.cmp.subs))
	for _, k := range sortedKeys(s.cmp.subs) {
		out = append(out, s.cmp.subs[k])
	}
	return out
}

func applyCompensationCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.CompensationSubscriptionValue)
	sub := &CompensationSubscription{Key: r.Key, Value: *v}
	s.cmp.subs[r.Key] = sub
	addTo(s.cmp.byProcess, v.ProcessInstanceKey, r.Key)
	if v.CompensationHandlerInstanceKey > 0 {
		s.cmp.byHandler[v.CompensationHandlerInstanceKey] = r.Key
	}
	s.markCompensation(sub, true)
	return nil
}

func applyCompensationTriggered(s *State, r *record.Record) error {
	sub := s.cmp.subs[r.Key]
	if sub == nil {
		return fmt.Errorf("compensation subscription %d does not exist", r.Key)
	}
	v := r.Value.(*record.CompensationSubscriptionValue)
	if sub.Value.CompensationHandlerInstanceKey > 0 {
		delete(s.cmp.byHandler, sub.Value.CompensationHandlerInstanceKey)
	}
	sub.Value = *v
	if v.CompensationHandlerInstanceKey > 0 {
		s.cmp.byHandler[v.CompensationHandlerInstanceKey] = r.Key
	}
	s.markCompensation(sub, true)
	return nil
}

func applyCompensationEnded(s *State, r *record.Record) error {
	sub := s.cmp.subs[r.Key]
	if sub == nil {
		return fmt.Errorf("compensation subscription %d does not exist", r.Key)
	}
	delete(s.cmp.subs, r.Key)
	removeFrom(s.cmp.byProcess, sub.Value.ProcessInstanceKey, r.Key)
	if h := sub.Value.CompensationHandlerInstanceKey; h > 0 && s.cmp.byHandler[h] == r.Key {
		delete(s.cmp.byHandler, h)
	}
	s.markCompensation(sub, false)
	return nil
}

func (s *State) markCompensation(m *CompensationSubscription, live bool) {
	s.changes.compensations[m.Key] = CompensationSubscriptionRow{CompensationSubscription: *m, Live: live}
	s.changes.dirty = true
}

// checkCompensations verifies that every compensation subscription
// belongs to a live process instance and is indexed under it, and that
// every handler index points at its subscription.
func (s *State) checkCompensations() error {
	for _, k := range sortedKeys(s.cmp.subs) {
		v := &s.cmp.subs[k].Value
		if s.elements[v.ProcessInstanceKey] == nil {
			return fmt.Errorf("compensation subscription %d outlives process instance %d", k, v.ProcessInstanceKey)
		}
		if _, ok := s.cmp.byProcess[v.ProcessInstanceKey][k]; !ok {
			return fmt.Errorf("compensation subscription %d is not indexed under its process instance", k)
		}
	}
	n := 0
	for _, set := range s.cmp.byProcess {
		n += len(set)
	}
	if n != len(s.cmp.subs) {
		return fmt.Errorf("%d compensation subscriptions are indexed by process instance, but %d exist", n, len(s.cmp.subs))
	}
	for h, k := range s.cmp.byHandler {
		if sub := s.cmp.subs[k]; sub == nil || sub.Value.CompensationHandlerInstanceKey != h {
			return fmt.Errorf("compensation handler %d is indexed to subscription %d, which does not name it", h, k)
		}
	}
	return nil
}
