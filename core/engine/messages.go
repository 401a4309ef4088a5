package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// PublishedMessage is the answer to a publish or correlate command.
type PublishedMessage struct {
	Key int64
	// ProcessInstanceKey is the first instance the message reached, or 0.
	ProcessInstanceKey int64
}

func (p *Processor) publishMessage(v *record.MessageValue, mustCorrelate bool) (*PublishedMessage, error) {
	if v.Name == "" {
		return nil, reject(record.RejectionInvalidArgument, "expected a message name, but it is empty")
	}
	if v.TimeToLive < 0 {
		return nil, reject(record.RejectionInvalidArgument, "expected a time to live of at least 0 ms, but it is %d", v.TimeToLive)
	}
	tenant, err := requestTenant(v.TenantID)
	if err != nil {
		return nil, err
	}
	if mustCorrelate {
		v.TimeToLive = 0
	}
	if v.MessageID != "" && p.st.MessageByID(tenant, v.Name, v.CorrelationKey, v.MessageID) != nil {
		return nil, reject(record.RejectionAlreadyExists, "expected to publish a new message, but a message with name '%s', correlation key '%s' and id '%s' is still buffered%s", v.Name, v.CorrelationKey, v.MessageID, inTenant(tenant))
	}
	v.TenantID = tenant
	if mustCorrelate && !p.canCorrelate(v) {
		return nil, reject(record.RejectionNotFound, "expected to find a subscription or start event for message '%s' with correlation key '%s'%s, but none was found", v.Name, v.CorrelationKey, inTenant(tenant))
	}
	msg := *v
	msg.Deadline = p.cmd.Timestamp + v.TimeToLive
	msg.TraceParent = "" // the command's, for an instance the message starts
	key := p.newKey()
	intent := record.IntentMessagePublished
	if mustCorrelate {
		intent = record.IntentMessageCorrelated
	}
	if err := p.write(key, intent, &msg); err != nil {
		return nil, err
	}
	out := &PublishedMessage{Key: key}
	reached := map[string]bool{}
	// A message reaches only its own tenant's subscriptions and start events.
	for _, sub := range p.st.SubscriptionsFor(tenant, v.Name, v.CorrelationKey) {
		if reached[sub.Value.BPMNProcessID] {
			continue // one subscription per process
		}
		reached[sub.Value.BPMNProcessID] = true
		pi, err := p.correlateSubscription(sub, key, v.Variables)
		if err != nil {
			return nil, err
		}
		if out.ProcessInstanceKey == 0 {
			out.ProcessInstanceKey = pi
		}
	}
	// Instances of other partitions that wait here (crossmessages.go).
	for _, sub := range p.openRemoteSubscriptions(tenant, v.Name, v.CorrelationKey) {
		if reached[sub.Value.BPMNProcessID] {
			continue
		}
		reached[sub.Value.BPMNProcessID] = true
		if err := p.correlateRemote(sub, key, v.Variables); err != nil {
			return nil, err
		}
		if out.ProcessInstanceKey == 0 {
			out.ProcessInstanceKey = sub.Value.ProcessInstanceKey
		}
	}
	for _, start := range p.st.StartSubscriptionsFor(tenant, v.Name) {
		if reached[start.Value.BPMNProcessID] {
			continue
		}
		if v.CorrelationKey != "" && p.st.ActiveByCorrelation(tenant, start.Value.BPMNProcessID, v.CorrelationKey) != 0 {
			continue // one active instance per correlation key
		}
		reached[start.Value.BPMNProcessID] = true
		pi, err := p.startByMessage(start, key, v)
		if err != nil {
			return nil, err
		}
		if out.ProcessInstanceKey == 0 {
			out.ProcessInstanceKey = pi
		}
	}
	return out, nil
}

// canCorrelate reports whether a message would reach anything now.
func (p *Processor) canCorrelate(v *record.MessageValue) bool {
	if len(p.st.SubscriptionsFor(v.TenantID, v.Name, v.CorrelationKey)) > 0 ||
		len(p.openRemoteSubscriptions(v.TenantID, v.Name, v.CorrelationKey)) > 0 {
		return true
	}
	for _, start := range p.st.StartSubscriptionsFor(v.TenantID, v.Name) {
		if v.CorrelationKey == "" || p.st.ActiveByCorrelation(v.TenantID, start.Value.BPMNProcessID, v.CorrelationKey) == 0 {
			return true
		}
	}
	return false
}

// correlateSubscription delivers a message to a waiting element instance.
func (p *Processor) correlateSubscription(sub *state.MessageSubscription, messageKey int64, vars map[string]any) (int64, error) {
	v := sub.Value
	v.MessageKey = messageKey
	v.Variables = vars
	if err := p.write(sub.Key, record.IntentMessageSubscriptionCorrelated, &v); err != nil {
		return 0, err
	}
	owner, err := p.instance(v.ElementInstanceKey)
	if err != nil || owner == nil {
		return 0, err
	}
	event := owner.el
	if v.ElementID != owner.el.ID {
		m, err := p.st.Model(owner.def)
		if err != nil {
			return 0, err
		}
		event = m.Elements[v.ElementID]
	}
	if event == nil {
		return 0, nil
	}
	if err := p.trigger(owner, event, emptyIfNil(vars)); err != nil {
		return 0, err
	}
	if !v.Interrupting && event != owner.el {
		// A non-interrupting boundary or event subprocess start event
		// waits for the next message at once: its subscription opens
		// again, and that message is noted as having reached the process.
		spec := element.SubscriptionSpec{Element: event, Name: v.MessageName, CorrelationKey: v.CorrelationKey}
		if err := p.openSubscription(owner, spec); err != nil {
			return 0, err
		}
	}
	return v.ProcessInstanceKey, nil
}

// startByMessage starts an instance at a message start event.
func (p *Processor) startByMessage(start *state.StartSubscription, messageKey int64, msg *record.MessageValue) (int64, error) {
	def := p.st.Process(start.Value.ProcessDefinitionKey)
	if def == nil {
		return 0, nil
	}
	m, err := p.st.Model(def)
	if err != nil {
		return 0, err
	}
	el := m.Elements[start.Value.StartEventID]
	if el == nil {
		return 0, nil
	}
	created, err := p.startInstance(def, el, nil, nil)
	if err != nil {
		return 0, err
	}
	v := start.Value
	v.MessageKey, v.CorrelationKey, v.ProcessInstanceKey, v.Variables = messageKey, msg.CorrelationKey, created.ProcessInstanceKey, msg.Variables
	if err := p.write(start.Key, record.IntentMessageStartSubscriptionCorrelated, &v); err != nil {
		return 0, err
	}
	p.pendingStart[created.ProcessInstanceKey] = emptyIfNil(msg.Variables)
	return created.ProcessInstanceKey, nil
}

func (p *Processor) expireMessage(key int64) error {
	m := p.st.Message(key)
	if m == nil {
		return reject(record.RejectionNotFound, "expected to expire message with key '%d', but it is not buffered", key)
	}
	if m.Value.Deadline > p.cmd.Timestamp {
		return reject(record.RejectionInvalidState, "expected to expire message with key '%d', but its time to live has not passed", key)
	}
	v := m.Value
	return p.write(key, record.IntentMessageExpired, &v)
}

// startResult is the result a start event carries: a message's variables
// when the instance was started by one at that event.
func (p *Processor) startResult(scope *instance, child *model.Element) map[string]any {
	key := scope.ei.Key
	if p.startAt[key] != child {
		return nil
	}
	vars := p.pendingStart[key]
	delete(p.pendingStart, key)
	return vars
}
