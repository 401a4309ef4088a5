package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

// Messages across partitions (docs/scaling.md, "Cross-partition
// messages"). With several partitions a message is published on its
// correlation key's partition (record.MessagePartition), where it is
// buffered. An instance that waits for a message whose key hashes to
// another partition keeps its MESSAGE_SUBSCRIPTION on its own partition,
// as with one partition, and opens it on the message's partition too
// (PARTITION_MESSAGE_SUBSCRIPTION OPEN, an inter-partition command). The
// message's partition correlates messages to those remote subscriptions
// by the same rules as to its own (one instance per process and message,
// a buffered message to later subscriptions) and sends CORRELATE to the
// instance's partition, which triggers the event as it would for a local
// message and closes the subscription there (CLOSE) when it ends; a
// correlation that finds the subscription gone is refused (REJECT), so
// that the message may reach another instance of the process.

// messagePartition returns the partition of a correlation key's messages.
func (p *Processor) messagePartition(correlationKey string) int32 {
	if p.partitions <= 1 {
		return p.partition
	}
	return record.MessagePartition(correlationKey, p.partitions)
}

// openRemote opens a new subscription on its message's partition when that
// is another partition; it reports whether it did.
func (p *Processor) openRemote(key int64, v *record.MessageSubscriptionValue) (bool, error) {
	m := p.messagePartition(v.CorrelationKey)
	if m == p.partition {
		return false, nil
	}
	return true, p.send(m, key, record.IntentPartitionSubscriptionOpen,
		&record.PartitionSubscriptionValue{SubscriptionKey: key, Subscription: *v})
}

// closeRemote closes on its message's partition a subscription that ended
// here (correlated or deleted), when that is another partition.
func (p *Processor) closeRemote(key int64, v *record.MessageSubscriptionValue) error {
	m := p.messagePartition(v.CorrelationKey)
	if m == p.partition {
		return nil
	}
	sub := *v
	sub.Variables = nil
	return p.send(m, key, record.IntentPartitionSubscriptionClose,
		&record.PartitionSubscriptionValue{SubscriptionKey: key, Subscription: sub})
}

// followSubscription keeps a subscription's copy on its message's
// partition in step with an event just written here: one that ended
// (correlated or deleted) is closed there, one that was migrated (another
// element or process) is closed and opened again as it is now.
func (p *Processor) followSubscription(key int64, intent record.Intent, v record.Value) error {
	sv, ok := v.(*record.MessageSubscriptionValue)
	if !ok {
		return nil
	}
	switch intent {
	case record.IntentMessageSubscriptionCorrelated, record.IntentMessageSubscriptionDeleted:
		return p.closeRemote(key, sv)
	case record.IntentMessageSubscriptionMigrated:
		if err := p.closeRemote(key, sv); err != nil {
			return err
		}
		sub := *sv
		sub.MessageKey, sub.Variables = 0, nil
		_, err := p.openRemote(key, &sub)
		return err
	}
	return nil
}

// partitionSubscription applies a delivered PARTITION_MESSAGE_SUBSCRIPTION
// command.
func (p *Processor) partitionSubscription(intent record.Intent, v *record.PartitionSubscriptionValue) error {
	if v.SourcePosition <= 0 {
		return reject(record.RejectionInvalidArgument, "expected a command delivered from another partition, but it names no source position")
	}
	source := store.PositionPartition(v.SourcePosition)
	switch intent {
	case record.IntentPartitionSubscriptionOpen:
		if p.st.RemoteSubscription(v.SubscriptionKey) != nil {
			return nil
		}
		ev := &record.PartitionSubscriptionValue{SubscriptionKey: v.SubscriptionKey, Subscription: v.Subscription}
		if err := p.write(0, record.IntentPartitionSubscriptionOpened, ev); err != nil {
			return err
		}
		sub := p.st.RemoteSubscription(v.SubscriptionKey)
		for _, m := range p.st.BufferedMessages(sub.Value.TenantID, sub.Value.MessageName, sub.Value.CorrelationKey) {
			if m.Value.Deadline > p.cmd.Timestamp && !m.HasCorrelated(sub.Value.BPMNProcessID) {
				return p.correlateRemote(sub, m.Key, m.Value.Variables)
			}
		}
		return nil
	case record.IntentPartitionSubscriptionClose:
		if p.st.RemoteSubscription(v.SubscriptionKey) == nil {
			return nil
		}
		return p.write(0, record.IntentPartitionSubscriptionClosed,
			&record.PartitionSubscriptionValue{SubscriptionKey: v.SubscriptionKey, Subscription: v.Subscription})
	case record.IntentPartitionSubscriptionCorrelate:
		sub := p.st.MessageSubscription(v.SubscriptionKey)
		if sub == nil {
			// The element left its wait: its CLOSE is on its way, the
			// message may go to another instance.
			return p.send(source, v.SubscriptionKey, record.IntentPartitionSubscriptionReject,
				&record.PartitionSubscriptionValue{SubscriptionKey: v.SubscriptionKey, Subscription: v.Subscription, MessageKey: v.MessageKey})
		}
		_, err := p.correlateSubscription(sub, v.MessageKey, v.Variables)
		return err
	case record.IntentPartitionSubscriptionReject:
		ev := &record.PartitionSubscriptionValue{SubscriptionKey: v.SubscriptionKey, Subscription: v.Subscription, MessageKey: v.MessageKey}
		if err := p.write(0, record.IntentPartitionSubscriptionRejected, ev); err != nil {
			return err
		}
		return p.offerAgain(v.MessageKey, v.Subscription.BPMNProcessID)
	}
	return reject(record.RejectionInvalidArgument, "expected a partition message subscription command, but got %s", intent)
}

// correlateRemote sends a message to a remote subscription: it takes no
// other message until its partition closed or refused it.
func (p *Processor) correlateRemote(sub *state.RemoteSubscription, messageKey int64, vars map[string]any) error {
	ev := &record.PartitionSubscriptionValue{SubscriptionKey: sub.Key, Subscription: sub.Value, MessageKey: messageKey}
	if err := p.write(0, record.IntentPartitionSubscriptionCorrelating, ev); err != nil {
		return err
	}
	return p.send(record.Partition(sub.Key), sub.Key, record.IntentPartitionSubscriptionCorrelate,
		&record.PartitionSubscriptionValue{SubscriptionKey: sub.Key, Subscription: sub.Value, MessageKey: messageKey, Variables: vars})
}

// offerAgain offers a buffered message that an instance of a process
// refused to the next waiting instance of that process, if any.
func (p *Processor) offerAgain(messageKey int64, bpmnProcessID string) error {
	m := p.st.Message(messageKey)
	if m == nil || m.Value.Deadline <= p.cmd.Timestamp || m.HasCorrelated(bpmnProcessID) {
		return nil
	}
	v := m.Value
	for _, sub := range p.st.SubscriptionsFor(v.TenantID, v.Name, v.CorrelationKey) {
		if sub.Value.BPMNProcessID == bpmnProcessID {
			_, err := p.correlateSubscription(sub, messageKey, v.Variables)
			return err
		}
	}
	for _, sub := range p.st.RemoteSubscriptionsFor(v.TenantID, v.Name, v.CorrelationKey) {
		if sub.Value.BPMNProcessID == bpmnProcessID && sub.MessageKey == 0 {
			return p.correlateRemote(sub, messageKey, v.Variables)
		}
	}
	return nil
}

// openRemoteSubscriptions returns the open remote subscriptions of a
// message (those not waiting for an answer to another message).
func (p *Processor) openRemoteSubscriptions(tenant, name, correlationKey string) []*state.RemoteSubscription {
	subs := p.st.RemoteSubscriptionsFor(tenant, name, correlationKey)
	out := subs[:0:0]
	for _, s := range subs {
		if s.MessageKey == 0 {
			out = append(out, s)
		}
	}
	return out
}

// distributeStarts opens, on a partition above 1, the message start
// events of a definition distributed to it, and closes those of the
// version it replaces: a message starts an instance on its correlation
// key's partition, so every partition opens them. Timer and signal start
// events stay with partition 1, which alone fires them.
func (p *Processor) distributeStarts(def, previous *state.ProcessDefinition) error {
	if p.partitions <= 1 || p.partition == 1 || def == nil || p.st.LatestProcess(def.TenantID, def.BPMNProcessID) != def {
		return nil
	}
	if previous != nil && previous != def {
		for _, s := range p.st.StartSubscriptionsOf(previous.ProcessDefinitionKey) {
			v := s.Value
			if err := p.write(s.Key, record.IntentMessageStartSubscriptionDeleted, &v); err != nil {
				return err
			}
		}
	}
	m, err := p.st.Model(def)
	if err != nil {
		return err
	}
	ctx := &messageStarts{openContext{p: p, def: def}}
	for _, c := range m.Root.Children {
		h, ok := p.reg.Handler(c.Kind)
		if !ok {
			continue
		}
		if o, ok := h.(element.Opener); ok {
			if err := o.Open(ctx, c); err != nil {
				return nil // partition 1 accepted the definition: it opens there
			}
		}
	}
	for _, w := range ctx.writes {
		if err := w(); err != nil {
			return err
		}
	}
	return nil
}

// messageStarts is the element.OpenContext of a definition's start events
// on a partition above 1: only message start events open there.
type messageStarts struct{ openContext }

// StartTimer implements element.OpenContext: timers start on partition 1.
func (*messageStarts) StartTimer(element.TimerSpec) {}

// StartOnSignal implements element.OpenContext: signal start events open
// on partition 1.
func (*messageStarts) StartOnSignal(*model.Element, string) {}

// Interface guards
var _ element.OpenContext = (*messageStarts)(nil)
