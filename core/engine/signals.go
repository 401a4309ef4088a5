package engine

import (
	"context"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// BroadcastSignalRequest broadcasts a signal: it reaches every signal
// subscription of its tenant open at that moment (catch, boundary and start
// events) and is never buffered.
type BroadcastSignalRequest struct {
	SignalName string
	Variables  map[string]any
	TenantID   string
}

// BroadcastedSignal is the answer to a broadcast.
type BroadcastedSignal struct {
	Key      int64
	TenantID string
}

// BroadcastSignal implements Client.
func (e *Engine) BroadcastSignal(ctx context.Context, req BroadcastSignalRequest) (*BroadcastedSignal, error) {
	res, err := e.submit(ctx, &record.Record{ValueType: record.TypeSignal, Intent: record.IntentSignalBroadcast, Version: 1,
		Value: &record.SignalValue{SignalName: req.SignalName, Variables: req.Variables, TenantID: req.TenantID}})
	if err != nil {
		return nil, err
	}
	return res.Response.(*BroadcastedSignal), nil
}

// broadcastCommand handles SIGNAL BROADCAST from a caller.
func (p *Processor) broadcastCommand(v *record.SignalValue) (*BroadcastedSignal, error) {
	if v.SignalName == "" {
		return nil, reject(record.RejectionInvalidArgument, "expected a signal name, but it is empty")
	}
	tenant, err := requestTenant(v.TenantID)
	if err != nil {
		return nil, err
	}
	key, err := p.broadcast(tenant, v.SignalName, v.Variables)
	if err != nil {
		return nil, err
	}
	return &BroadcastedSignal{Key: key, TenantID: tenant}, nil
}

// broadcast writes SIGNAL BROADCASTED and lets the signal reach every
// subscription of the tenant open now, in the order they were opened: a
// catch or boundary event is triggered with the signal's variables, a start
// event starts an instance of its definition.
func (p *Processor) broadcast(tenant, name string, vars map[string]any) (int64, error) {
	key := p.newKey()
	vars = emptyIfNil(vars)
	if err := p.write(key, record.IntentSignalBroadcasted, &record.SignalValue{SignalName: name, Variables: vars, TenantID: tenant}); err != nil {
		return 0, err
	}
	for _, sub := range p.st.SignalSubscriptionsFor(tenant, name) {
		var err error
		if sub.Value.CatchEventInstanceKey > 0 {
			err = p.signalCatch(sub, vars)
		} else {
			err = p.signalStart(sub, vars)
		}
		if err != nil {
			return 0, err
		}
	}
	return key, nil
}

// signalCatch triggers the catch or boundary event a subscription is for.
func (p *Processor) signalCatch(sub *state.SignalSubscription, vars map[string]any) error {
	owner, err := p.instance(sub.Value.CatchEventInstanceKey)
	if err != nil || owner == nil {
		return err
	}
	event := owner.el
	if sub.Value.CatchEventID != owner.el.ID {
		m, err := p.st.Model(owner.def)
		if err != nil {
			return err
		}
		if event = m.Elements[sub.Value.CatchEventID]; event == nil {
			return nil
		}
	}
	return p.trigger(owner, event, vars)
}

// signalStart starts an instance at a signal start event; the signal's
// variables become the instance's.
func (p *Processor) signalStart(sub *state.SignalSubscription, vars map[string]any) error {
	def := p.st.Process(sub.Value.ProcessDefinitionKey)
	if def == nil {
		return nil
	}
	m, err := p.st.Model(def)
	if err != nil {
		return err
	}
	el := m.Elements[sub.Value.CatchEventID]
	if el == nil {
		return nil
	}
	created, err := p.startInstance(def, el, nil, nil)
	if err != nil {
		return err
	}
	p.pendingStart[created.ProcessInstanceKey] = vars
	return nil
}

// openSignalSubscription writes SIGNAL_SUBSCRIPTION CREATED for an element
// instance (its own catch event or one of its boundary events).
func (p *Processor) openSignalSubscription(owner *instance, spec element.SubscriptionSpec) error {
	v := &record.SignalSubscriptionValue{
		ProcessDefinitionKey: owner.def.ProcessDefinitionKey, BPMNProcessID: owner.def.BPMNProcessID,
		CatchEventID: spec.Element.ID, CatchEventInstanceKey: owner.ei.Key, ProcessInstanceKey: owner.ei.Value.ProcessInstanceKey,
		SignalName: spec.Name, Interrupting: spec.Interrupting, TenantID: owner.def.TenantID,
	}
	return p.write(p.newKey(), record.IntentSignalSubscriptionCreated, v)
}

// StartOnSignal implements element.OpenContext: SIGNAL_SUBSCRIPTION
// CREATED for a start event of the definition, written when the definition
// opens its start events.
func (c *openContext) StartOnSignal(start *model.Element, name string) {
	v := &record.SignalSubscriptionValue{
		ProcessDefinitionKey: c.def.ProcessDefinitionKey, BPMNProcessID: c.def.BPMNProcessID, CatchEventID: start.ID,
		CatchEventInstanceKey: -1, ProcessInstanceKey: -1, SignalName: name, Interrupting: true, TenantID: c.def.TenantID,
	}
	c.writes = append(c.writes, func() error { return c.p.write(c.p.newKey(), record.IntentSignalSubscriptionCreated, v) })
}

// closeSignals deletes the signal subscriptions of a list.
func (p *Processor) closeSignals(subs []*state.SignalSubscription) error {
	for _, s := range subs {
		v := s.Value
		if err := p.write(s.Key, record.IntentSignalSubscriptionDeleted, &v); err != nil {
			return err
		}
	}
	return nil
}

// throwSignals broadcasts the signals an element asked for once it is
// activated, carrying its local variables (its input mappings' results).
func (p *Processor) throwSignals(in *instance, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var vars map[string]any
	if locals := p.st.LocalVariables(in.ei.Key); len(locals) > 0 {
		vars = make(map[string]any, len(locals))
		for n, v := range locals {
			vars[n] = v.Value
		}
	}
	for _, name := range names {
		if _, err := p.broadcast(in.def.TenantID, name, vars); err != nil {
			return err
		}
	}
	return nil
}

// planSignalMigration plans what a migration does to the signal
// subscriptions an element instance owns: each is deleted, and one whose
// catch event is carried over (target gives its target event's id) opens
// again for that event of the target definition. kept notes the carried
// over events, whose subscriptions are not opened a second time.
func (p *Processor) planSignalMigration(mg *migration, ei *state.ElementInstance, target func(string) string, tgtEvents map[string]*model.Element, kept map[string]bool) {
	for _, sub := range p.st.SignalSubscriptionsOf(ei.Key) {
		old := sub.Value
		mg.ops = append(mg.ops, func() error { return p.write(sub.Key, record.IntentSignalSubscriptionDeleted, &old) })
		t := target(old.CatchEventID)
		ev := tgtEvents[t]
		if t == "" || ev == nil {
			continue
		}
		kept[t] = true
		v := old
		v.CatchEventID, v.BPMNProcessID, v.ProcessDefinitionKey = t, mg.def.BPMNProcessID, mg.def.ProcessDefinitionKey
		if ev.AttachedTo != nil {
			v.Interrupting = ev.CancelActivity
		}
		mg.ops = append(mg.ops, func() error { return p.write(p.newKey(), record.IntentSignalSubscriptionCreated, &v) })
	}
}
