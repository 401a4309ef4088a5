package engine

import (
	"fmt"
	"time"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/schedule"
	"github.com/example/wf-engine/core/state"
)

// createTimer writes TIMER CREATED for a timer owned by an element instance.
func (p *Processor) createTimer(owner *instance, spec element.TimerSpec) error {
	v := &record.TimerValue{
		ElementID: spec.Element.ID, ElementInstanceKey: owner.ei.Key, ProcessInstanceKey: owner.ei.Value.ProcessInstanceKey,
		ProcessDefinitionKey: owner.def.ProcessDefinitionKey, BPMNProcessID: owner.def.BPMNProcessID,
		DueDate: spec.Due.UnixMilli(), Repetitions: spec.Repetitions, Cycle: spec.Cycle, TenantID: owner.def.TenantID,
	}
	return p.write(p.newKey(), record.IntentTimerCreated, v)
}

// openSubscription writes MESSAGE_SUBSCRIPTION CREATED and correlates the
// oldest buffered message that matches and has not reached this process yet.
func (p *Processor) openSubscription(owner *instance, spec element.SubscriptionSpec) error {
	if spec.Kind == element.SubscriptionSignal {
		return p.openSignalSubscription(owner, spec)
	}
	v := &record.MessageSubscriptionValue{
		ElementID: spec.Element.ID, ElementInstanceKey: owner.ei.Key, ProcessInstanceKey: owner.ei.Value.ProcessInstanceKey,
		ProcessDefinitionKey: owner.def.ProcessDefinitionKey, BPMNProcessID: owner.def.BPMNProcessID,
		MessageName: spec.Name, CorrelationKey: spec.CorrelationKey, Interrupting: spec.Interrupting, TenantID: owner.def.TenantID,
	}
	key := p.newKey()
	if err := p.write(key, record.IntentMessageSubscriptionCreated, v); err != nil {
		return err
	}
	if remote, err := p.openRemote(key, v); remote || err != nil {
		return err // its message's partition keeps the buffered messages
	}
	for _, m := range p.st.BufferedMessages(owner.def.TenantID, spec.Name, spec.CorrelationKey) {
		if m.Value.Deadline > p.cmd.Timestamp && !m.HasCorrelated(owner.def.BPMNProcessID) {
			_, err := p.correlateSubscription(p.st.MessageSubscription(key), m.Key, m.Value.Variables)
			return err
		}
	}
	return nil
}

// closeEvents cancels the timers and closes the subscriptions an element
// instance owns (its own and its boundary events').
func (p *Processor) closeEvents(in *instance) error { return p.closeWaits(in, nil) }

// closeWaits cancels the timers and closes the message and signal
// subscriptions an element instance owns for the events of the given ids,
// or for every event when ids is nil.
func (p *Processor) closeWaits(in *instance, ids map[string]bool) error {
	for _, t := range p.st.TimersOf(in.ei.Key) {
		if ids == nil || ids[t.Value.ElementID] {
			v := t.Value
			if err := p.write(t.Key, record.IntentTimerCanceled, &v); err != nil {
				return err
			}
		}
	}
	for _, sub := range p.st.SubscriptionsOf(in.ei.Key) {
		if ids == nil || ids[sub.Value.ElementID] {
			v := sub.Value
			if err := p.write(sub.Key, record.IntentMessageSubscriptionDeleted, &v); err != nil {
				return err
			}
		}
	}
	signals := p.st.SignalSubscriptionsOf(in.ei.Key)
	if ids != nil {
		var picked []*state.SignalSubscription
		for _, sub := range signals {
			if ids[sub.Value.CatchEventID] {
				picked = append(picked, sub)
			}
		}
		signals = picked
	}
	return p.closeSignals(signals)
}

// applyResult writes the variables an event carried (a message's payload, a
// thrown error's variables): local to the element when it has output
// mappings, else merged from the element outward.
func (p *Processor) applyResult(in *instance, result map[string]any) error {
	if len(result) == 0 {
		return nil
	}
	if err := p.checkVariables(in, result); err != nil {
		return err
	}
	if len(in.el.Outputs) > 0 {
		return p.setLocals(in.ei, result)
	}
	return p.propagate(in.ei, result)
}

// trigger lets an event that an element instance waited for happen: the
// element's own catch (it completes) or one of its boundary events.
func (p *Processor) trigger(owner *instance, event *model.Element, result map[string]any) error {
	if event == owner.el {
		if owner.ei.State != state.ElementActivated {
			return nil
		}
		if result != nil {
			p.pendingVars[owner.ei.Key] = result
		}
		p.push(step{kind: stepComplete, key: owner.ei.Key})
		return nil
	}
	if event.AttachedTo != owner.el {
		o, ok := owner.handler.(element.EventOwner)
		if !ok {
			return fmt.Errorf("element %s does not own event %s", owner.el.ID, event.ID)
		}
		if owner.ei.State != state.ElementActivated || p.interrupted[owner.ei.Key] != nil {
			return nil
		}
		ctx := &eventContext{}
		o.EventHappened(ctx, event)
		return p.eventHappened(owner, ctx, result)
	}
	scope, err := p.instance(owner.ei.Value.FlowScopeKey)
	if err != nil || scope == nil {
		return err
	}
	if event.CancelActivity {
		if owner.ei.State == state.ElementTerminating {
			return nil // already interrupted
		}
		p.afterTerminate[owner.ei.Key] = func() error {
			_, err := p.enterWith(scope, event, emptyIfNil(result))
			return err
		}
		p.push(step{kind: stepTerminate, key: owner.ei.Key})
		return nil
	}
	_, err = p.enterWith(scope, event, emptyIfNil(result))
	return err
}

// eventContext is the element.EventContext of an EventOwner: it records
// what the owner asked for.
type eventContext struct {
	handOver     *model.Element
	child, start *model.Element
	interrupting bool
}

// HandOver implements element.EventContext.
func (c *eventContext) HandOver(event *model.Element) { c.handOver = event }

// TriggerChild implements element.EventContext.
func (c *eventContext) TriggerChild(child, start *model.Element, interrupting bool) {
	c.child, c.start, c.interrupting = child, start, interrupting
}

// eventHappened carries out what an EventOwner decided.
func (p *Processor) eventHappened(owner *instance, ctx *eventContext, result map[string]any) error {
	key := owner.ei.Key
	if ctx.handOver != nil && p.handedOver[key] == nil {
		p.handedOver[key] = ctx.handOver
		p.pendingVars[-key] = result // handed to the event when it is entered
		p.push(step{kind: stepComplete, key: key})
	}
	if ctx.child == nil {
		return nil
	}
	child, start := ctx.child, ctx.start
	enter := func() error {
		k, err := p.enterWith(owner, child, nil)
		p.startAt[k], p.pendingStart[k] = start, emptyIfNil(result)
		return err
	}
	if !ctx.interrupting {
		return enter()
	}
	// Interrupting: no other event of the scope may start anything now;
	// the children terminate first, and the last one's end enters child.
	if err := p.closeScopeEvents(owner); err != nil {
		return err
	}
	children := p.st.Children(key)
	if len(children) == 0 {
		return enter()
	}
	p.interrupted[key] = enter
	for _, c := range children {
		if c.State != state.ElementTerminating {
			p.push(step{kind: stepTerminate, key: c.Key})
		}
	}
	return nil
}

// scopeEvents returns the events inside an element that its instances wait
// for (element.EventScope), or nil.
func (p *Processor) scopeEvents(in *instance) []*model.Element {
	if s, ok := in.handler.(element.EventScope); ok {
		return s.ScopeEvents(in.el)
	}
	return nil
}

// closeScopeEvents cancels the timers and closes the subscriptions an
// element instance holds for its scope events, keeping those of its own
// boundary events.
func (p *Processor) closeScopeEvents(in *instance) error {
	events := p.scopeEvents(in)
	if len(events) == 0 {
		return nil
	}
	ids := make(map[string]bool, len(events))
	for _, ev := range events {
		ids[ev.ID] = true
	}
	return p.closeWaits(in, ids)
}

func emptyIfNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// triggerTimer handles a due timer: TIMER TRIGGERED, the event happens, and
// a cycle re-arms.
func (p *Processor) triggerTimer(key int64) error {
	t := p.st.Timer(key)
	if t == nil {
		return reject(record.RejectionNotFound, "expected to trigger timer with key '%d', but no such timer was found", key)
	}
	if t.Value.DueDate > p.cmd.Timestamp {
		return reject(record.RejectionInvalidState, "expected to trigger timer with key '%d', but it is not due until %d", key, t.Value.DueDate)
	}
	v := t.Value
	if err := p.write(key, record.IntentTimerTriggered, &v); err != nil {
		return err
	}
	if v.ElementInstanceKey <= 0 {
		return p.triggerStartTimer(&v)
	}
	owner, err := p.instance(v.ElementInstanceKey)
	if err != nil || owner == nil {
		return err
	}
	event := owner.el
	if v.ElementID != owner.el.ID {
		m, err := p.st.Model(owner.def)
		if err != nil {
			return err
		}
		if event = m.Elements[v.ElementID]; event == nil {
			return fmt.Errorf("process %s has no element %s", owner.def.BPMNProcessID, v.ElementID)
		}
		if !event.CancelActivity && v.Cycle != "" {
			if err := p.rearm(&v, func(next element.TimerSpec) error { return p.createTimer(owner, next) }); err != nil {
				return err
			}
		}
	}
	return p.trigger(owner, event, nil)
}

// rearm creates the next timer of a cycle, if the cycle has firings left.
func (p *Processor) rearm(v *record.TimerValue, create func(element.TimerSpec) error) error {
	c, err := schedule.ParseCycle(v.Cycle)
	if err != nil {
		return nil // it parsed when the timer was created; a change of rules ends the cycle
	}
	next, left, err := c.Next(time.UnixMilli(v.DueDate).UTC(), v.Repetitions)
	if err != nil || next.IsZero() {
		return nil
	}
	return create(element.TimerSpec{Element: &model.Element{ID: v.ElementID}, Due: next, Cycle: v.Cycle, Repetitions: left})
}

func (p *Processor) triggerStartTimer(v *record.TimerValue) error {
	def := p.st.Process(v.ProcessDefinitionKey)
	if def == nil {
		return nil
	}
	m, err := p.st.Model(def)
	if err != nil {
		return err
	}
	start := m.Elements[v.ElementID]
	if start == nil {
		return fmt.Errorf("process %s has no start event %s", def.BPMNProcessID, v.ElementID)
	}
	if v.Cycle != "" {
		if err := p.rearm(v, func(next element.TimerSpec) error { return p.startTimer(def, start, next) }); err != nil {
			return err
		}
	}
	_, err = p.startInstance(def, start, nil, nil)
	return err
}

// startTimer writes TIMER CREATED for a timer start event of a definition.
func (p *Processor) startTimer(def *state.ProcessDefinition, start *model.Element, spec element.TimerSpec) error {
	v := &record.TimerValue{
		ElementID: start.ID, ElementInstanceKey: -1, ProcessInstanceKey: -1,
		ProcessDefinitionKey: def.ProcessDefinitionKey, BPMNProcessID: def.BPMNProcessID,
		DueDate: spec.Due.UnixMilli(), Repetitions: spec.Repetitions, Cycle: spec.Cycle, TenantID: def.TenantID,
	}
	return p.write(p.newKey(), record.IntentTimerCreated, v)
}

// openStartEvents schedules the timer start events and opens the message
// start subscriptions of a new definition, and closes those of the version
// it replaces.
func (p *Processor) openStartEvents(def *state.ProcessDefinition, previous *state.ProcessDefinition) error {
	open, problem, err := p.planStartEvents(def)
	if err != nil {
		return err
	}
	if problem != "" {
		return reject(record.RejectionInvalidArgument, "the deployment is invalid: %s", problem)
	}
	if previous != nil {
		if err := p.closeStartEvents(previous); err != nil {
			return err
		}
	}
	return open()
}

// planStartEvents asks the handlers of a definition's start events what
// to open (element.Opener) and returns what opens it, or the problem that
// keeps one from opening; nothing is written until open is called.
func (p *Processor) planStartEvents(def *state.ProcessDefinition) (open func() error, problem string, err error) {
	m, err := p.st.Model(def)
	if err != nil {
		return nil, "", err
	}
	ctx := &openContext{p: p, def: def}
	for _, c := range m.Root.Children {
		h, ok := p.reg.Handler(c.Kind)
		if !ok {
			continue
		}
		if o, ok := h.(element.Opener); ok {
			if err := o.Open(ctx, c); err != nil {
				return nil, err.Error(), nil
			}
		}
	}
	return func() error {
		for _, w := range ctx.writes {
			if err := w(); err != nil {
				return err
			}
		}
		return nil
	}, "", nil
}

// openContext is the element.OpenContext of a definition's start events:
// it collects the writes that open them.
type openContext struct {
	p      *Processor
	def    *state.ProcessDefinition
	writes []func() error
}

func (c *openContext) Now() time.Time                       { return c.p.now }
func (c *openContext) Eval(e *expr.Expression) (any, error) { return c.p.eval(0, e) }
func (c *openContext) StartTimer(spec element.TimerSpec) {
	c.writes = append(c.writes, func() error { return c.p.startTimer(c.def, spec.Element, spec) })
}

func (c *openContext) StartOnMessage(start *model.Element, name string) {
	v := &record.MessageStartSubscriptionValue{
		ProcessDefinitionKey: c.def.ProcessDefinitionKey, BPMNProcessID: c.def.BPMNProcessID,
		StartEventID: start.ID, MessageName: name, TenantID: c.def.TenantID,
	}
	c.writes = append(c.writes, func() error { return c.p.write(c.p.newKey(), record.IntentMessageStartSubscriptionCreated, v) })
}

// closeStartEvents cancels the start timers and deletes the message start
// subscriptions of a definition.
func (p *Processor) closeStartEvents(def *state.ProcessDefinition) error {
	for _, t := range p.st.StartTimersOf(def.ProcessDefinitionKey) {
		v := t.Value
		if err := p.write(t.Key, record.IntentTimerCanceled, &v); err != nil {
			return err
		}
	}
	for _, s := range p.st.StartSubscriptionsOf(def.ProcessDefinitionKey) {
		v := s.Value
		if err := p.write(s.Key, record.IntentMessageStartSubscriptionDeleted, &v); err != nil {
			return err
		}
	}
	return p.closeSignals(p.st.StartSignalSubscriptionsOf(def.ProcessDefinitionKey))
}

// throwError throws a BPMN error from an element instance: the nearest
// boundary event that catches the code takes over, searching from the
// element outward; with none, an incident is raised on the element.
func (p *Processor) throwError(from *instance, code, message string, vars map[string]any, jobKey int64) error {
	_, err := p.throw(from, element.Thrown{Kind: element.ThrowError, Code: code}, message, vars, jobKey)
	return err
}

// throw throws t from an element instance: the nearest catch event that
// catches it takes over, searching from the element outward through its
// flow scopes and the call activities that called its process. What
// happens when nothing catches it is the kind's rule: an uncaught error
// is an incident on the thrower, an uncaught escalation nothing. An
// escalation writes ESCALATION ESCALATED or NOT_ESCALATED first, as
// Zeebe does. goesOn says whether the thrower may go on: not when an
// interrupting catch event ends a scope it is in, nor after an incident.
func (p *Processor) throw(from *instance, t element.Thrown, message string, vars map[string]any, jobKey int64) (goesOn bool, err error) {
	owner, catch, err := p.findCatch(from, t)
	if err != nil {
		return false, err
	}
	// A scope already being terminated takes no event any more.
	triggers := catch != nil && owner.ei.State != state.ElementTerminating
	if t.Kind == element.ThrowEscalation {
		if err := p.writeEscalation(from, t.Code, catch, triggers); err != nil {
			return false, err
		}
	}
	if triggers {
		return !catch.CancelActivity, p.trigger(owner, catch, vars)
	}
	if catch != nil {
		return !catch.CancelActivity, nil
	}
	if t.Kind == element.ThrowEscalation {
		return true, nil
	}
	msg := fmt.Sprintf("An error was thrown with the code '%s' but not caught.", t.Code)
	if message != "" {
		msg += " Error message: " + message
	}
	return false, p.raiseIncident(from, &element.Failure{Type: record.ErrorUnhandledErrorEvnt, Message: msg}, jobKey)
}

// findCatch returns the element instance whose catch event catches t,
// nearest to from first, and that event; nil when nothing catches it.
func (p *Processor) findCatch(from *instance, t element.Thrown) (*instance, *model.Element, error) {
	for cur := from; cur != nil; {
		if b := p.catcher(cur, t, cur != from); b != nil {
			return cur, b, nil
		}
		up := cur.ei.Value.FlowScopeKey
		if up <= 0 {
			// A called process's uncaught throw goes on in the caller.
			if up = cur.ei.Value.ParentElementInstanceKey; up <= 0 {
				break
			}
		}
		next, err := p.instance(up)
		if err != nil {
			return nil, nil, err
		}
		cur = next
	}
	return nil, nil, nil
}

// writeEscalation writes ESCALATION ESCALATED (caught by catch) or
// NOT_ESCALATED (catch nil, or it cannot be triggered) for an escalation
// thrown from an instance.
func (p *Processor) writeEscalation(from *instance, code string, catch *model.Element, triggers bool) error {
	v := &record.EscalationValue{
		ProcessInstanceKey: from.ei.Value.ProcessInstanceKey, EscalationCode: code,
		ThrowElementID: from.el.ID, TenantID: from.def.TenantID,
	}
	intent := record.IntentEscalationNotEscalated
	if catch != nil {
		v.CatchElementID = catch.ID
	}
	if triggers {
		intent = record.IntentEscalationEscalated
	}
	return p.write(p.newKey(), intent, v)
}

// catcher returns the event of an element instance that catches what was
// thrown (element.Catcher): when the thrower is inside, the start events
// of its event subprocesses (element.EventScope) first, then its boundary
// events; an exact match first, else the first catch-all.
func (p *Processor) catcher(in *instance, t element.Thrown, inside bool) *model.Element {
	if inside && !p.isInterrupted(in) {
		if ev := p.catchAmong(in, p.scopeEvents(in), t); ev != nil {
			return ev
		}
	}
	return p.catchAmong(in, in.el.Boundaries, t)
}

// isInterrupted reports whether an element instance's scope events are
// spent: an interrupting one has started (or is about to), so nothing else
// inside may start another (element.Interrupter on its running children).
func (p *Processor) isInterrupted(in *instance) bool {
	if p.interrupted[in.ei.Key] != nil {
		return true
	}
	for _, c := range p.st.Children(in.ei.Key) {
		child, err := p.instance(c.Key)
		if err == nil && child != nil && p.sem.Interrupts(child.el) {
			return true
		}
	}
	return false
}

func (p *Processor) catchAmong(in *instance, events []*model.Element, t element.Thrown) *model.Element {
	var all *model.Element
	eval := func(e *expr.Expression) (any, error) { return p.eval(in.ei.Key, e) }
	for _, b := range events {
		h, ok := p.reg.Handler(b.Kind)
		if !ok {
			continue
		}
		c, ok := h.(element.Catcher)
		if !ok {
			continue
		}
		switch c.Catches(eval, b, t) {
		case element.MatchExact:
			return b
		case element.MatchAll:
			if all == nil {
				all = b
			}
		}
	}
	return all
}
