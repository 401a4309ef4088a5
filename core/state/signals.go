package state

import (
	"fmt"

	"github.com/example/wf-engine/core/record"
)

// SignalSubscription is a catch event waiting for a signal: an element
// instance's (an intermediate catch or a boundary event) or a process
// definition's (a start event, CatchEventInstanceKey -1).
type SignalSubscription struct {
	Key   int64
	Value record.SignalSubscriptionValue
}

// SignalSubscriptionRow is the stored form of a signal subscription; Live
// false marks one that was deleted.
type SignalSubscriptionRow struct {
	SignalSubscription
	Live bool
}

// signals holds the open signal subscriptions of a partition. A signal is
// never buffered, so there is nothing else to keep.
type signals struct {
	subs    map[int64]*SignalSubscription
	byName  map[string]map[int64]struct{} // inTenant(tenant, signal name)
	byOwner map[int64]map[int64]struct{}  // element instance key, or -definition key for start events
}

func newSignals() signals {
	return signals{subs: map[int64]*SignalSubscription{}, byName: map[string]map[int64]struct{}{}, byOwner: map[int64]map[int64]struct{}{}}
}

func signalOwner(v *record.SignalSubscriptionValue) int64 {
	if v.CatchEventInstanceKey > 0 {
		return v.CatchEventInstanceKey
	}
	return -v.ProcessDefinitionKey
}

// SignalSubscriptionsFor returns the open signal subscriptions of a tenant
// for a signal name, in key order: catch events and start events alike.
func (s *State) SignalSubscriptionsFor(tenantID, name string) []*SignalSubscription {
	return pickAll(s.sig.subs, s.sig.byName[inTenant(tenantID, name)])
}

// SignalSubscriptionsOf returns the signal subscriptions an element
// instance owns (its own and its boundary events'), in key order.
func (s *State) SignalSubscriptionsOf(elementInstanceKey int64) []*SignalSubscription {
	return pickAll(s.sig.subs, s.sig.byOwner[elementInstanceKey])
}

// StartSignalSubscriptionsOf returns the signal start subscriptions of a
// process definition, in key order.
func (s *State) StartSignalSubscriptionsOf(definitionKey int64) []*SignalSubscription {
	return pickAll(s.sig.subs, s.sig.byOwner[-definitionKey])
}

func applySignalSubscriptionCreated(s *State, r *record.Record) error {
	v := r.Value.(*record.SignalSubscriptionValue)
	sub := &SignalSubscription{Key: r.Key, Value: *v}
	s.sig.subs[r.Key] = sub
	addToName(s.sig.byName, inTenant(v.TenantID, v.SignalName), r.Key)
	addTo(s.sig.byOwner, signalOwner(v), r.Key)
	s.markSignal(sub, true)
	return nil
}

func applySignalSubscriptionDeleted(s *State, r *record.Record) error {
	sub := s.sig.subs[r.Key]
	if sub == nil {
		return fmt.Errorf("signal subscription %d does not exist", r.Key)
	}
	delete(s.sig.subs, r.Key)
	removeFrom(s.sig.byName, inTenant(sub.Value.TenantID, sub.Value.SignalName), r.Key)
	removeFrom(s.sig.byOwner, signalOwner(&sub.Value), r.Key)
	s.markSignal(sub, false)
	return nil
}

func (s *State) markSignal(m *SignalSubscription, live bool) {
	s.changes.signals[m.Key] = SignalSubscriptionRow{SignalSubscription: *m, Live: live}
	s.changes.dirty = true
}

// checkSignals verifies that every signal subscription belongs to a live
// element instance or process definition of its tenant and is indexed
// under its tenant and name.
func (s *State) checkSignals() error {
	for _, k := range sortedKeys(s.sig.subs) {
		v := &s.sig.subs[k].Value
		if v.CatchEventInstanceKey > 0 && s.elements[v.CatchEventInstanceKey] == nil {
			return fmt.Errorf("signal subscription %d outlives element instance %d", k, v.CatchEventInstanceKey)
		}
		if p := s.processes[v.ProcessDefinitionKey]; v.CatchEventInstanceKey <= 0 && (p == nil || TenantOrDefault(p.TenantID) != TenantOrDefault(v.TenantID)) {
			return fmt.Errorf("signal start subscription %d of tenant %q belongs to process definition %d of another tenant, or to none", k, TenantOrDefault(v.TenantID), v.ProcessDefinitionKey)
		}
		if _, ok := s.sig.byName[inTenant(v.TenantID, v.SignalName)][k]; !ok {
			return fmt.Errorf("signal subscription %d is not indexed under tenant %q and signal %q", k, TenantOrDefault(v.TenantID), v.SignalName)
		}
		if _, ok := s.sig.byOwner[signalOwner(v)][k]; !ok {
			return fmt.Errorf("signal subscription %d is not indexed under its owner", k)
		}
	}
	n, m := 0, 0
	for _, set := range s.sig.byName {
		n += len(set)
	}
	for _, set := range s.sig.byOwner {
		m += len(set)
	}
	if n != len(s.sig.subs) || m != len(s.sig.subs) {
		return fmt.Errorf("%d signal subscriptions are indexed by name and %d by owner, but %d are open", n, m, len(s.sig.subs))
	}
	return nil
}

// SignalSubscriptions returns every open signal subscription, in key order.
func (s *State) SignalSubscriptions() []*SignalSubscription {
	out := make([]*SignalSubscription, 0, len(s.sig.subs))
	for _, k := range sortedKeys(s.sig.subs) {
		out = append(out, s.sig.subs[k])
	}
	return out
}
