package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// A process instance migration (Camunda's) moves a running process
// instance to another process definition, usually a newer version of its
// process. It is checked whole before anything is written, so that one
// refused element refuses the command; then PROCESS_INSTANCE_MIGRATION
// MIGRATED is written and every active element instance, the process
// instance first and then breadth-first, gets ELEMENT_MIGRATED with its
// target element, followed by the MIGRATED events of what it owns.
//
// What moves and what stays, as in Camunda 8.8:
//   - Every active element instance needs a mapping instruction to an
//     element of the same type (the same BPMN element and event type; a
//     user task keeps its implementation) in the same flow scope: the
//     element that its flow scope's instance is mapped to (the process
//     for the top level). The process itself is mapped implicitly. Each
//     source element is mapped at most once.
//   - Keys, states, variables, jobs, user tasks and incidents stay; they
//     name the target's definition and element afterwards. A job keeps
//     its type, retries and custom headers (Camunda does not re-evaluate
//     anything of an active element); a user task keeps its assignee,
//     candidates, dates, priority and form.
//   - Catch events: a timer or message subscription of a catch event that
//     is mapped moves to the target event (a timer keeps its due date, a
//     subscription its message name and correlation key; a boundary
//     event's interrupting flag follows the target). One whose event is not
//     mapped is closed, and each catch event the target element waits on
//     that is no mapping's target gets a new timer or subscription,
//     evaluated in the element instance's scope. A mapped catch event must
//     stay with its element (a boundary event of A mapped to one of A's
//     target), keep its type (timer to timer, message to message) and be
//     the only one mapped to its target.
//
// Refused (the rejection names the element and why): an instance that is
// not active, a target that does not exist in the instance's tenant,
// duplicate or unknown source or target ids, an active element without a
// mapping, a change of element type or user task implementation, a
// change of flow scope, catch event mappings as above, a message-started
// instance whose correlation key is taken in the target process, and a
// scope with tokens waiting at a joining gateway (Camunda migrates those
// with sequence flow mappings; this engine does not yet).

// MigrateInstanceRequest is a process instance migration.
type MigrateInstanceRequest struct {
	ProcessInstanceKey         int64
	TargetProcessDefinitionKey int64
	Mappings                   []record.MappingInstruction
	OperationReference         int64
}

// MigrateInstance implements Client.
func (e *Engine) MigrateInstance(ctx context.Context, req MigrateInstanceRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.ProcessInstanceKey, ValueType: record.TypeProcessInstanceMigration,
		Intent: record.IntentProcessInstanceMigrate, Version: 1,
		Value: &record.ProcessInstanceMigrationValue{ProcessInstanceKey: req.ProcessInstanceKey,
			TargetProcessDefinitionKey: req.TargetProcessDefinitionKey, MappingInstructions: req.Mappings,
			OperationReference: req.OperationReference}})
	return err
}

// migration is a checked migration plan.
type migration struct {
	pi       *state.ElementInstance
	src, tgt *model.Process
	def      *state.ProcessDefinition // the target
	mapping  map[string]string        // source element id -> target element id
	ops      []func() error           // the writes, in order
	opens    []func() error           // new timers and subscriptions, after every element moved
}

func (p *Processor) migrateInstance(key int64, v *record.ProcessInstanceMigrationValue) error {
	pi := p.st.Element(key)
	if pi == nil || pi.Value.FlowScopeKey > 0 || pi.Key != pi.Value.ProcessInstanceKey {
		return reject(record.RejectionNotFound, "expected to migrate a process instance with key '%d', but no such process instance was found", key)
	}
	if pi.State != state.ElementActivated {
		return reject(record.RejectionInvalidState, "expected to migrate an active process instance, but process instance '%d' is %s", key, pi.State)
	}
	source := p.st.Process(pi.Value.ProcessDefinitionKey)
	if source == nil {
		return fmt.Errorf("process instance %d refers to unknown process definition %d", key, pi.Value.ProcessDefinitionKey)
	}
	def := p.st.Process(v.TargetProcessDefinitionKey)
	if def == nil || state.TenantOrDefault(def.TenantID) != state.TenantOrDefault(pi.Value.TenantID) {
		return reject(record.RejectionNotFound, "expected to migrate process instance '%d' to process definition '%d', but no such process definition was found%s", key, v.TargetProcessDefinitionKey, inTenant(pi.Value.TenantID))
	}
	src, err := p.st.Model(source)
	if err != nil {
		return err
	}
	tgt, err := p.st.Model(def)
	if err != nil {
		return err
	}
	mg := &migration{pi: pi, src: src, tgt: tgt, def: def, mapping: map[string]string{src.Root.ID: tgt.Root.ID}}
	if err := p.checkMappings(mg, v.MappingInstructions); err != nil {
		return err
	}
	if err := p.checkStartedBy(mg); err != nil {
		return err
	}
	if err := p.checkCompensations(key); err != nil {
		return err
	}
	// Breadth-first from the process instance, children in key order.
	level := []*state.ElementInstance{pi}
	for len(level) > 0 {
		var next []*state.ElementInstance
		for _, ei := range level {
			if err := p.planElement(mg, ei); err != nil {
				return err
			}
			next = append(next, p.st.Children(ei.Key)...)
		}
		level = next
	}
	done := *v
	done.ProcessInstanceKey = key
	done.BPMNProcessID, done.TenantID = def.BPMNProcessID, pi.Value.TenantID
	if err := p.write(key, record.IntentProcessInstanceMigrated, &done); err != nil {
		return err
	}
	for _, op := range append(mg.ops, mg.opens...) {
		if err := op(); err != nil {
			return err
		}
	}
	return nil
}

// refuseMigration returns a rejection of the migration of process instance pi.
func refuseMigration(t record.RejectionType, pi int64, format string, args ...any) error {
	return reject(t, "expected to migrate process instance '%d', but %s", pi, fmt.Sprintf(format, args...))
}

// checkMappings checks the mapping instructions on their own: known and
// unique source ids, known target ids, and catch events mapped to catch
// events of their type, each target at most once.
func (p *Processor) checkMappings(mg *migration, in []record.MappingInstruction) error {
	pi := mg.pi.Key
	catchTargets := map[string]string{}
	srcEvents, tgtEvents := p.catchEventsOf(mg.src), p.catchEventsOf(mg.tgt)
	for _, m := range in {
		s, t := m.SourceElementID, m.TargetElementID
		if _, dup := mg.mapping[s]; dup && s != mg.src.Root.ID {
			return refuseMigration(record.RejectionInvalidArgument, pi, "the mapping instructions map source element '%s' more than once", s)
		}
		if s == mg.src.Root.ID {
			if t != mg.tgt.Root.ID {
				return refuseMigration(record.RejectionInvalidArgument, pi, "the process '%s' is mapped to '%s', not to the target process '%s' (the process is mapped implicitly)", s, t, mg.tgt.Root.ID)
			}
			continue
		}
		if mg.src.Elements[s] == nil && mg.src.Flows[s] == nil {
			return refuseMigration(record.RejectionInvalidArgument, pi, "the mapping instructions name source element '%s', which process '%s' does not have", s, mg.src.ID)
		}
		if mg.tgt.Elements[t] == nil && mg.tgt.Flows[t] == nil {
			return refuseMigration(record.RejectionInvalidArgument, pi, "the mapping instructions name target element '%s', which the target process '%s' does not have", t, mg.tgt.ID)
		}
		mg.mapping[s] = t
		se, te := srcEvents[s], tgtEvents[t]
		switch {
		case se == nil && te == nil:
			continue
		case se == nil || te == nil || se.Kind != te.Kind:
			return refuseMigration(record.RejectionInvalidArgument, pi, "catch event '%s' (%s) is mapped to '%s' (%s): a catch event can only be mapped to a catch event of the same type", s, typeName(mg.src, s), t, typeName(mg.tgt, t))
		}
		if other, taken := catchTargets[t]; taken {
			return refuseMigration(record.RejectionInvalidArgument, pi, "catch events '%s' and '%s' are both mapped to '%s': a catch event can be the target of one mapping instruction only", other, s, t)
		}
		catchTargets[t] = s
	}
	return nil
}

// typeName names the type of a process's element for a rejection.
func typeName(m *model.Process, id string) string {
	if el := m.Elements[id]; el != nil {
		return typeOf(el)
	}
	if m.Flows[id] != nil {
		return model.ElementTypeSequenceFlow
	}
	return model.ElementTypeProcess
}

// typeOf is Camunda's element type, with the event type for events.
func typeOf(el *model.Element) string {
	if ev := model.EventType(el); ev != "" {
		return model.ElementType(el) + " " + ev
	}
	return model.ElementType(el)
}

// catchEventsOf indexes by id the catch events that element instances of
// a process wait on: those of Waiter handlers and the boundary events
// whose handlers attach timers or subscriptions.
func (p *Processor) catchEventsOf(m *model.Process) map[string]*model.Element {
	out := map[string]*model.Element{}
	for _, el := range m.Elements {
		for _, ev := range p.waitsOn(el) {
			out[ev.ID] = ev
		}
	}
	return out
}

// waitsOn returns the catch events an instance of el waits on, in model
// order: its own (Waiter), and its boundary events and the start events of
// its event subprocesses (EventScope) with timers or subscriptions
// (Attacher).
func (p *Processor) waitsOn(el *model.Element) []*model.Element {
	var out []*model.Element
	if h, ok := p.reg.Handler(el.Kind); ok {
		if w, ok := h.(element.Waiter); ok {
			out = append(out, w.CatchEvents(el)...)
		}
	}
	events := el.Boundaries
	if h, ok := p.reg.Handler(el.Kind); ok {
		if s, ok := h.(element.EventScope); ok {
			events = append(append([]*model.Element(nil), events...), s.ScopeEvents(el)...)
		}
	}
	for _, b := range events {
		if h, ok := p.reg.Handler(b.Kind); ok {
			if _, ok := h.(element.Attacher); ok {
				out = append(out, b)
			}
		}
	}
	return out
}

// checkStartedBy refuses to move a message-started instance into another
// process where an active instance was started with the same correlation
// key (one active instance per key and process).
func (p *Processor) checkStartedBy(mg *migration) error {
	k := mg.pi.StartedByKey
	if k == "" || mg.def.BPMNProcessID == mg.pi.Value.BPMNProcessID {
		return nil
	}
	if other := p.st.ActiveByCorrelation(mg.pi.Value.TenantID, mg.def.BPMNProcessID, k); other != 0 {
		return refuseMigration(record.RejectionInvalidState, mg.pi.Key, "process instance '%d' of the target process '%s' was started by a message with the same correlation key '%s': only one active instance per correlation key is allowed", other, mg.def.BPMNProcessID, k)
	}
	return nil
}

// planElement checks the migration of one element instance and plans its
// writes.
func (p *Processor) planElement(mg *migration, ei *state.ElementInstance) error {
	pi := mg.pi.Key
	srcEl, tgtEl := mg.src.Root, mg.tgt.Root
	if ei.Key != pi {
		srcEl = p.wrapped(mg.src.Elements[ei.Value.ElementID], ei)
		if srcEl == nil {
			return fmt.Errorf("process %s has no element %s", mg.src.ID, ei.Value.ElementID)
		}
		t, ok := mg.mapping[srcEl.ID]
		if !ok {
			return refuseMigration(record.RejectionInvalidState, pi, "no mapping instruction is given for active element '%s': every active element must be mapped", srcEl.ID)
		}
		if tgtEl = mg.tgt.Elements[t]; tgtEl == nil {
			return refuseMigration(record.RejectionInvalidState, pi, "active element '%s' is mapped to '%s', which is a sequence flow of the target process", srcEl.ID, t)
		}
		if srcEl != mg.src.Elements[srcEl.ID] && tgtEl.Wrapped() != nil {
			// An element wrapped under its wrapper's id goes with the wrapper.
			tgtEl = tgtEl.Wrapped()
		}
		if srcEl.Kind != tgtEl.Kind {
			return refuseMigration(record.RejectionInvalidState, pi, "active element '%s' of type %s is mapped to '%s' of type %s: elements must be mapped to elements of the same type", srcEl.ID, typeOf(srcEl), tgtEl.ID, typeOf(tgtEl))
		}
		if srcEl.UserTask != nil && tgtEl.UserTask != nil && srcEl.UserTask.Native != tgtEl.UserTask.Native {
			return refuseMigration(record.RejectionInvalidState, pi, "active user task '%s' (%s) is mapped to '%s' (%s): a user task keeps its implementation", srcEl.ID, userTaskImpl(srcEl), tgtEl.ID, userTaskImpl(tgtEl))
		}
		if want := mg.mapping[srcEl.Parent.ID]; tgtEl.Parent.ID != want {
			return refuseMigration(record.RejectionInvalidState, pi, "active element '%s' is mapped to '%s' inside '%s', while its flow scope '%s' is mapped to '%s': the flow scope of an element cannot change in a migration", srcEl.ID, tgtEl.ID, tgtEl.Parent.ID, srcEl.Parent.ID, want)
		}
	}
	if ei.State == state.ElementTerminating {
		return refuseMigration(record.RejectionInvalidState, pi, "element '%s' is being terminated", srcEl.ID)
	}
	if n := ei.WaitingTokens(); n > 0 {
		flows := make([]string, 0, len(ei.Waiting))
		for f := range ei.Waiting {
			flows = append(flows, f)
		}
		sort.Strings(flows)
		gw := "?"
		if f := mg.src.Flows[flows[0]]; f != nil && f.Target != nil {
			gw = f.Target.ID
		}
		return refuseMigration(record.RejectionInvalidState, pi, "tokens wait at joining gateway '%s' in '%s' (sequence flows %s): migrating a waiting join is not supported, activate the gateway or terminate the other branches with a modification first", gw, srcEl.ID, strings.Join(flows, ", "))
	}
	v := ei.Value
	v.BPMNProcessID, v.Version, v.ProcessDefinitionKey = mg.def.BPMNProcessID, mg.def.Version, mg.def.ProcessDefinitionKey
	v.ElementID, v.BPMNElementType, v.BPMNEventType = tgtEl.ID, model.ElementType(tgtEl), model.EventType(tgtEl)
	if ei.Key == pi {
		v.ElementID = mg.def.BPMNProcessID
	}
	key := ei.Key
	mg.ops = append(mg.ops, func() error { return p.write(key, record.IntentElementMigrated, &v) })
	p.planOwned(mg, ei, tgtEl)
	return p.planEvents(mg, ei, srcEl, tgtEl)
}

func userTaskImpl(el *model.Element) string {
	if el.UserTask.Native {
		return "Camunda user task"
	}
	return "job worker"
}

// planOwned plans the MIGRATED events of an element instance's job, user
// task and incident.
func (p *Processor) planOwned(mg *migration, ei *state.ElementInstance, tgtEl *model.Element) {
	def := mg.def
	if j := p.st.Job(ei.JobKey); ei.JobKey != 0 && j != nil {
		v := j.Value
		v.ElementID, v.BPMNProcessID, v.ProcessDefinitionVersion, v.ProcessDefinitionKey = tgtEl.ID, def.BPMNProcessID, def.Version, def.ProcessDefinitionKey
		mg.ops = append(mg.ops, func() error { return p.write(j.Key, record.IntentJobMigrated, &v) })
	}
	if t := p.st.UserTaskOf(ei.Key); t != nil {
		v := t.Value
		v.ElementID, v.Name, v.BPMNProcessID, v.ProcessDefinitionVersion, v.ProcessDefinitionKey = tgtEl.ID, tgtEl.Name, def.BPMNProcessID, def.Version, def.ProcessDefinitionKey
		mg.ops = append(mg.ops, func() error { return p.write(t.Key, record.IntentUserTaskMigrated, &v) })
	}
	if i := p.st.Incident(ei.IncidentKey); ei.IncidentKey != 0 && i != nil {
		v := i.Value
		v.ElementID, v.BPMNProcessID, v.ProcessDefinitionKey = tgtEl.ID, def.BPMNProcessID, def.ProcessDefinitionKey
		if ei.Key == mg.pi.Key {
			v.ElementID = def.BPMNProcessID
		}
		mg.ops = append(mg.ops, func() error { return p.write(i.Key, record.IntentIncidentMigrated, &v) })
	}
}

// planEvents checks and plans what happens to the timers and message
// subscriptions an element instance owns, and opens those of the target's
// catch events that no mapping carries over (for an activated instance:
// one still activating opens them when its activation runs).
func (p *Processor) planEvents(mg *migration, ei *state.ElementInstance, srcEl, tgtEl *model.Element) error {
	pi := mg.pi.Key
	def := mg.def
	tgtEvents := map[string]*model.Element{}
	for _, ev := range p.waitsOn(tgtEl) {
		tgtEvents[ev.ID] = ev
	}
	// A mapped boundary event must stay with its element, also when it
	// has no timer or subscription (an error boundary event).
	for _, ev := range append(p.waitsOn(srcEl), srcEl.Boundaries...) {
		t, mapped := mg.mapping[ev.ID]
		if !mapped || ev == srcEl {
			continue
		}
		attached := tgtEvents[t] != nil
		for _, b := range tgtEl.Boundaries {
			attached = attached || b.ID == t
		}
		if !attached {
			return refuseMigration(record.RejectionInvalidState, pi, "active element '%s' is mapped to '%s', and its catch event '%s' to '%s', which does not belong to '%s': a catch event must stay with its element", srcEl.ID, tgtEl.ID, ev.ID, t, tgtEl.ID)
		}
	}
	kept := map[string]bool{} // target events whose subscriptions are carried over
	target := func(id string) string {
		if id == srcEl.ID {
			return tgtEl.ID
		}
		return mg.mapping[id]
	}
	for _, tm := range p.st.TimersOf(ei.Key) {
		v := tm.Value
		if t := target(v.ElementID); t != "" && tgtEvents[t] != nil {
			kept[t] = true
			v.ElementID, v.BPMNProcessID, v.ProcessDefinitionKey = t, def.BPMNProcessID, def.ProcessDefinitionKey
			mg.ops = append(mg.ops, func() error { return p.write(tm.Key, record.IntentTimerMigrated, &v) })
			continue
		}
		mg.ops = append(mg.ops, func() error { return p.write(tm.Key, record.IntentTimerCanceled, &v) })
	}
	for _, sub := range p.st.SubscriptionsOf(ei.Key) {
		v := sub.Value
		if t := target(v.ElementID); t != "" && tgtEvents[t] != nil {
			kept[t] = true
			ev := tgtEvents[t]
			v.ElementID, v.BPMNProcessID, v.ProcessDefinitionKey = t, def.BPMNProcessID, def.ProcessDefinitionKey
			if ev.AttachedTo != nil {
				v.Interrupting = ev.CancelActivity
			}
			mg.ops = append(mg.ops, func() error { return p.write(sub.Key, record.IntentMessageSubscriptionMigrated, &v) })
			continue
		}
		mg.ops = append(mg.ops, func() error { return p.write(sub.Key, record.IntentMessageSubscriptionDeleted, &v) })
	}
	p.planSignalMigration(mg, ei, target, tgtEvents, kept)
	if ei.State != state.ElementActivated {
		return nil
	}
	// New timers and subscriptions, evaluated now in the instance's scope
	// so that a failing expression refuses the migration.
	h, ok := p.reg.Handler(tgtEl.Kind)
	if !ok {
		return fmt.Errorf("no handler for element kind %s", tgtEl.Kind)
	}
	in := &instance{ei: ei, def: def, el: tgtEl, handler: h}
	ctx := p.newContext(in)
	defer p.release(ctx)
	for _, ev := range p.waitsOn(tgtEl) {
		if kept[ev.ID] || mappedTo(mg.mapping, ev.ID) && ev != tgtEl {
			continue
		}
		eh, ok := p.reg.Handler(ev.Kind)
		if !ok {
			return fmt.Errorf("no handler for element kind %s", ev.Kind)
		}
		var err error
		switch hh := eh.(type) {
		case element.Attacher:
			err = hh.Attach(ctx, ev)
		case element.Subscriber:
			err = hh.Subscribe(ctx, ev)
		}
		if err != nil {
			return refuseMigration(record.RejectionInvalidState, pi, "the catch event '%s' of '%s' in the target cannot wait: %v", ev.ID, tgtEl.ID, err)
		}
	}
	for _, spec := range ctx.timers {
		spec := spec
		mg.opens = append(mg.opens, func() error { return p.createTimer(in, spec) })
	}
	for _, spec := range ctx.subs {
		spec := spec
		mg.opens = append(mg.opens, func() error { return p.openSubscription(in, spec) })
	}
	return nil
}

// mappedTo reports whether some mapping instruction targets id.
func mappedTo(mapping map[string]string, id string) bool {
	for _, t := range mapping {
		if t == id {
			return true
		}
	}
	return false
}
