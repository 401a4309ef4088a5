package engine

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// Compensation (issue 19): an activity whose boundary events include an
// element.CompensationBoundary is remembered when it completes
// (COMPENSATION_SUBSCRIPTION CREATED, keyed in completion order); a scope
// that completes with such subscriptions inside is remembered too, without
// a handler, so that compensating it compensates inside it. A compensation
// throw or end event (element.Compensations) triggers the subscriptions of
// its flow scope, most recent first, activating each handler in the throw
// event's flow scope, and completes once the last handler completed. The
// subscriptions of a process instance are deleted when it ends.

// compensation is what a compensation throw or end event asked for.
type compensation struct {
	activityRef string
	enclosing   bool
}

// Compensate implements element.Compensations.
func (c *elementContext) Compensate(activityRef string, enclosing bool) {
	c.compensate = &compensation{activityRef: activityRef, enclosing: enclosing}
}

var _ element.Compensations = (*elementContext)(nil)

// compensationsEnding runs before an element instance's ELEMENT_COMPLETED
// or ELEMENT_TERMINATED: a process instance that ends deletes the
// compensation subscriptions nobody triggered or that did not complete.
func (p *Processor) compensationsEnding(in *instance) error {
	if in.ei.Value.FlowScopeKey > 0 {
		return nil
	}
	for _, sub := range p.st.CompensationSubscriptionsOf(in.ei.Key) {
		v := sub.Value
		if err := p.write(sub.Key, record.IntentCompensationSubscriptionDeleted, &v); err != nil {
			return err
		}
	}
	return nil
}

// compensationsCompleted runs after an element instance's
// ELEMENT_COMPLETED: a compensation handler completes its subscription
// (and its throw event once nothing else is compensating for it); an
// activity with a compensation boundary, or a scope with subscriptions
// inside, is remembered.
func (p *Processor) compensationsCompleted(in *instance) error {
	v := in.ei.Value
	if v.FlowScopeKey <= 0 {
		return nil
	}
	if sub := p.st.CompensationByHandler(in.ei.Key); sub != nil {
		sv := sub.Value
		if err := p.write(sub.Key, record.IntentCompensationSubscriptionCompleted, &sv); err != nil {
			return err
		}
		p.finishCompensation(sv.ProcessInstanceKey, sv.ThrowEventInstanceKey)
		return nil
	}
	subs := p.st.CompensationSubscriptionsOf(v.ProcessInstanceKey)
	remember := func(handlerID string) error {
		return p.write(p.newKey(), record.IntentCompensationSubscriptionCreated, &record.CompensationSubscriptionValue{
			TenantID: in.def.TenantID, ProcessInstanceKey: v.ProcessInstanceKey, ProcessDefinitionKey: in.def.ProcessDefinitionKey,
			CompensableActivityID: in.el.ID, CompensableActivityScopeKey: v.FlowScopeKey, CompensableActivityInstanceKey: in.ei.Key,
			CompensationHandlerID: handlerID,
		})
	}
	for _, sub := range subs {
		if sub.Value.CompensableActivityScopeKey == in.ei.Key && sub.Value.ThrowEventInstanceKey <= 0 {
			if err := remember(""); err != nil {
				return err
			}
			break
		}
	}
	for _, b := range in.el.Boundaries {
		h, ok := p.reg.Handler(b.Kind)
		if !ok {
			continue
		}
		if cb, ok := h.(element.CompensationBoundary); ok {
			if handler := cb.CompensationHandler(b); handler != nil {
				if err := remember(handler.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// compensate triggers what a compensation throw or end event asked for
// (element.Compensations) after it was activated; it completes the event
// at once when nothing is to be compensated.
func (p *Processor) compensate(throw *instance, req *compensation) error {
	scope, err := p.instance(throw.ei.Value.FlowScopeKey)
	if err != nil || scope == nil {
		return err
	}
	subs := p.st.CompensationSubscriptionsOf(throw.ei.Value.ProcessInstanceKey)
	var picked []*state.CompensationSubscription
	var pick func(scopeKey int64, ref string)
	pick = func(scopeKey int64, ref string) {
		for i := len(subs) - 1; i >= 0; i-- {
			s := subs[i]
			if s.Value.CompensableActivityScopeKey != scopeKey || s.Value.ThrowEventInstanceKey > 0 ||
				ref != "" && s.Value.CompensableActivityID != ref {
				continue
			}
			picked = append(picked, s)
			if s.Value.CompensationHandlerID == "" {
				pick(s.Value.CompensableActivityInstanceKey, "")
			}
		}
	}
	pick(scope.ei.Key, req.activityRef)
	if req.enclosing && scope.ei.Value.FlowScopeKey > 0 {
		pick(scope.ei.Value.FlowScopeKey, req.activityRef)
	}
	m, err := p.st.Model(throw.def)
	if err != nil {
		return err
	}
	waiting := false
	for _, s := range picked {
		v := s.Value
		v.ThrowEventID, v.ThrowEventInstanceKey = throw.el.ID, throw.ei.Key
		handler := m.Elements[v.CompensationHandlerID]
		if handler == nil {
			// A scope compensated inside: nothing of its own to run.
			v.CompensationHandlerInstanceKey = -1
			if err := p.write(s.Key, record.IntentCompensationSubscriptionTriggered, &v); err != nil {
				return err
			}
			if err := p.write(s.Key, record.IntentCompensationSubscriptionCompleted, &v); err != nil {
				return err
			}
			continue
		}
		// As Zeebe: the compensation boundary event is entered and
		// completed in the throw event's scope, TRIGGERED names the
		// handler's instance, which is entered right after.
		if b := p.compensationBoundary(m.Elements[v.CompensableActivityID], handler); b != nil {
			bk, bv := p.newKey(), p.elementValue(scope.def, scope.ei.Value.ProcessInstanceKey, scope.ei.Key, b)
			for _, intent := range []record.Intent{record.IntentElementActivating, record.IntentElementActivated,
				record.IntentElementCompleting, record.IntentElementCompleted} {
				if err := p.write(bk, intent, bv); err != nil {
					return err
				}
			}
		}
		key := p.newKey()
		v.CompensationHandlerInstanceKey = key
		if err := p.write(s.Key, record.IntentCompensationSubscriptionTriggered, &v); err != nil {
			return err
		}
		hv := p.elementValue(scope.def, scope.ei.Value.ProcessInstanceKey, scope.ei.Key, handler)
		if err := p.write(key, record.IntentElementActivating, hv); err != nil {
			return err
		}
		p.push(step{kind: stepActivate, key: key})
		waiting = true
	}
	if !waiting {
		p.push(step{kind: stepComplete, key: throw.ei.Key})
	}
	return nil
}

// finishCompensation completes a compensation throw or end event whose
// last handler completed.
func (p *Processor) finishCompensation(processInstanceKey, throwKey int64) {
	for _, s := range p.st.CompensationSubscriptionsOf(processInstanceKey) {
		if s.Value.ThrowEventInstanceKey == throwKey {
			return
		}
	}
	p.push(step{kind: stepComplete, key: throwKey})
}

// checkCompensations refuses to migrate a process instance that holds
// compensation subscriptions: they name activities and handlers of the
// source process, and carrying them over is not supported.
func (p *Processor) checkCompensations(pi int64) error {
	if subs := p.st.CompensationSubscriptionsOf(pi); len(subs) > 0 {
		return refuseMigration(record.RejectionInvalidState, pi, "activity '%s' completed and can be compensated: migrating a process instance with compensation subscriptions is not supported", subs[0].Value.CompensableActivityID)
	}
	return nil
}

// compensationBoundary returns the boundary event of activity whose
// compensation handler is handler, or nil.
func (p *Processor) compensationBoundary(activity, handler *model.Element) *model.Element {
	if activity == nil {
		return nil
	}
	for _, b := range activity.Boundaries {
		if h, ok := p.reg.Handler(b.Kind); ok {
			if cb, ok := h.(element.CompensationBoundary); ok && cb.CompensationHandler(b) == handler {
				return b
			}
		}
	}
	return nil
}
