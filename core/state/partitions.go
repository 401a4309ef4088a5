package state

import (
	"fmt"
	"slices"

	"github.com/example/wf-engine/core/record"
)

// RemoteSubscription is, on a message's partition, a message subscription
// of an instance that runs on another partition (docs/scaling.md,
// "Cross-partition messages"). Key is the subscription's key on the
// instance's partition, which is that key's partition.
type RemoteSubscription struct {
	Key   int64
	Value record.MessageSubscriptionValue
	// MessageKey is the message sent to the subscription and not yet
	// confirmed closed or refused by the instance's partition: while it is
	// set, the subscription takes no other message. 0: open.
	MessageKey int64
}

// RemoteSubscriptionRow is the stored form of a remote subscription; Live
// false marks one that was closed (deletable).
type RemoteSubscriptionRow struct {
	RemoteSubscription
	Live bool
}

// InboxRow is, for one source partition, the highest position of its log
// whose inter-partition command this partition applied.
type InboxRow struct {
	Source   int32
	Position int64
}

// crossing holds what a partition keeps of other partitions: its inbox and
// the remote subscriptions of the messages it keeps.
type crossing struct {
	inbox        map[int32]int64
	remote       map[int64]*RemoteSubscription
	remoteByName map[string]map[int64]struct{} // msgKey: tenant, name, correlation key
}

func newCrossing() crossing {
	return crossing{inbox: map[int32]int64{}, remote: map[int64]*RemoteSubscription{}, remoteByName: map[string]map[int64]struct{}{}}
}

// Inbox returns the highest position of source's log whose inter-partition
// command this partition applied, 0 when none.
func (s *State) Inbox(source int32) int64 { return s.cr.inbox[source] }

// Inboxes returns the inbox, by source partition in order.
func (s *State) Inboxes() []InboxRow {
	out := make([]InboxRow, 0, len(s.cr.inbox))
	for _, src := range sortedPartitions(s.cr.inbox) {
		out = append(out, InboxRow{Source: src, Position: s.cr.inbox[src]})
	}
	return out
}

// RemoteSubscription returns the remote subscription of an instance
// partition's subscription key, or nil.
func (s *State) RemoteSubscription(key int64) *RemoteSubscription { return s.cr.remote[key] }

// RemoteSubscriptionsFor returns the remote subscriptions of a tenant's
// message name and correlation key, in key order.
func (s *State) RemoteSubscriptionsFor(tenantID, name, correlationKey string) []*RemoteSubscription {
	return pickAll(s.cr.remote, s.cr.remoteByName[msgKey(tenantID, name, correlationKey)])
}

// RemoteSubscriptions returns every remote subscription, in key order.
func (s *State) RemoteSubscriptions() []*RemoteSubscription {
	out := make([]*RemoteSubscription, 0, len(s.cr.remote))
	for _, k := range sortedKeys(s.cr.remote) {
		out = append(out, s.cr.remote[k])
	}
	return out
}

func sortedPartitions[V any](m map[int32]V) []int32 {
	out := make([]int32, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// --- appliers ---

func applyInboxApplied(s *State, r *record.Record) error {
	v := r.Value.(*record.InboxValue)
	if v.SourcePosition <= s.cr.inbox[v.SourcePartition] {
		return fmt.Errorf("inbox of partition %d is at position %d, at or past %d", v.SourcePartition, s.cr.inbox[v.SourcePartition], v.SourcePosition)
	}
	s.cr.inbox[v.SourcePartition] = v.SourcePosition
	s.changes.inbox[v.SourcePartition] = v.SourcePosition
	s.changes.dirty = true
	return nil
}

func applyRemoteOpened(s *State, r *record.Record) error {
	v := r.Value.(*record.PartitionSubscriptionValue)
	if old := s.cr.remote[v.SubscriptionKey]; old != nil {
		return fmt.Errorf("remote message subscription %d is open already", v.SubscriptionKey)
	}
	sub := &RemoteSubscription{Key: v.SubscriptionKey, Value: v.Subscription}
	s.cr.remote[sub.Key] = sub
	addToName(s.cr.remoteByName, msgKey(sub.Value.TenantID, sub.Value.MessageName, sub.Value.CorrelationKey), sub.Key)
	s.markRemote(sub, true)
	return nil
}

func applyRemoteClosed(s *State, r *record.Record) error {
	v := r.Value.(*record.PartitionSubscriptionValue)
	sub := s.cr.remote[v.SubscriptionKey]
	if sub == nil {
		return fmt.Errorf("remote message subscription %d does not exist", v.SubscriptionKey)
	}
	delete(s.cr.remote, sub.Key)
	removeFrom(s.cr.remoteByName, msgKey(sub.Value.TenantID, sub.Value.MessageName, sub.Value.CorrelationKey), sub.Key)
	s.markRemote(sub, false)
	return nil
}

func applyRemoteCorrelating(s *State, r *record.Record) error {
	v := r.Value.(*record.PartitionSubscriptionValue)
	sub := s.cr.remote[v.SubscriptionKey]
	if sub == nil {
		return fmt.Errorf("remote message subscription %d does not exist", v.SubscriptionKey)
	}
	sub.MessageKey = v.MessageKey
	s.markRemote(sub, true)
	return s.noteCorrelation(v.MessageKey, sub.Value.BPMNProcessID)
}

func applyRemoteRejected(s *State, r *record.Record) error {
	v := r.Value.(*record.PartitionSubscriptionValue)
	if sub := s.cr.remote[v.SubscriptionKey]; sub != nil && sub.MessageKey == v.MessageKey {
		sub.MessageKey = 0
		s.markRemote(sub, true)
	}
	if m := s.ev.messages[v.MessageKey]; m != nil {
		if i, ok := slices.BinarySearch(m.Correlated, v.Subscription.BPMNProcessID); ok {
			m.Correlated = slices.Delete(m.Correlated, i, i+1)
			if len(m.Correlated) == 0 {
				m.Correlated = nil // as a stored row loads it
			}
			s.markMessage(m, true)
		}
	}
	return nil
}

func (s *State) markRemote(sub *RemoteSubscription, live bool) {
	s.changes.remote[sub.Key] = RemoteSubscriptionRow{RemoteSubscription: *sub, Live: live}
	s.changes.dirty = true
}

// restoreCrossing fills the inbox and remote subscriptions of a snapshot.
func (s *State) restoreCrossing(snap *Snapshot) {
	for _, r := range snap.Inbox {
		s.cr.inbox[r.Source] = r.Position
	}
	for _, r := range snap.RemoteSubscriptions {
		sub := r
		s.cr.remote[sub.Key] = &sub
		addToName(s.cr.remoteByName, msgKey(sub.Value.TenantID, sub.Value.MessageName, sub.Value.CorrelationKey), sub.Key)
	}
}

// takeCrossing moves the changed inbox and remote subscription rows into out.
func (c *changeSet) takeCrossing(out *Changes) {
	for _, src := range sortedPartitions(c.inbox) {
		out.Inbox = append(out.Inbox, InboxRow{Source: src, Position: c.inbox[src]})
	}
	if len(c.remote) > 0 {
		out.RemoteSubscriptions = valuesInKeyOrder(c.remote)
	}
	clear(c.inbox)
	clear(c.remote)
}
