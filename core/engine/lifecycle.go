package engine

import (
	"errors"
	"fmt"
	"sort"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

type stepKind uint8

const (
	stepActivate       stepKind = iota + 1 // run the activation of an ACTIVATING element
	stepComplete                           // complete an ACTIVATED (or resume a COMPLETING) element
	stepTerminate                          // terminate an element and everything in it
	stepChildCompleted                     // tell a container that a child completed
)

type step struct {
	kind  stepKind
	key   int64          // element instance
	child *model.Element // stepChildCompleted: the child that completed
}

func (p *Processor) push(s step) { p.agenda = append(p.agenda, s) }

// run works through the agenda in FIFO order until nothing is left.
func (p *Processor) run() error {
	for i := 0; i < len(p.agenda); i++ {
		s := p.agenda[i]
		p.steps++
		var err error
		switch s.kind {
		case stepActivate:
			var stop bool
			if stop, err = p.stopped(s.key); !stop {
				err = p.activate(s.key)
			}
		case stepComplete:
			err = p.complete(s.key)
		case stepTerminate:
			err = p.terminate(s.key)
		case stepChildCompleted:
			err = p.childCompleted(s.key, s.child)
		}
		if err != nil {
			return err
		}
	}
	p.agenda = p.agenda[:0]
	return nil
}

// instance bundles an element instance with its model element and handler.
type instance struct {
	ei      *state.ElementInstance
	def     *state.ProcessDefinition
	el      *model.Element
	handler element.Handler
}

func (p *Processor) instance(key int64) (*instance, error) {
	ei := p.st.Element(key)
	if ei == nil {
		return nil, nil
	}
	def := p.st.Process(ei.Value.ProcessDefinitionKey)
	if def == nil {
		return nil, fmt.Errorf("element instance %d refers to unknown process definition %d", key, ei.Value.ProcessDefinitionKey)
	}
	m, err := p.st.Model(def)
	if err != nil {
		return nil, err
	}
	el := m.Root
	if ei.Value.FlowScopeKey > 0 {
		el = p.wrapped(m.Elements[ei.Value.ElementID], ei)
	}
	if el == nil {
		return nil, fmt.Errorf("process %s has no element %s", def.BPMNProcessID, ei.Value.ElementID)
	}
	h, ok := p.reg.Handler(el.Kind)
	if !ok {
		return nil, fmt.Errorf("no handler for element kind %s", el.Kind)
	}
	return &instance{ei: ei, def: def, el: el, handler: h}, nil
}

// elementValue describes a new element instance of el inside scope.
func (p *Processor) elementValue(def *state.ProcessDefinition, pi int64, scope int64, el *model.Element) *record.ProcessInstanceValue {
	names := p.typeNamesOf(el)
	return &record.ProcessInstanceValue{
		BPMNProcessID: def.BPMNProcessID, Version: def.Version, ProcessDefinitionKey: def.ProcessDefinitionKey,
		ProcessInstanceKey: pi, ElementID: el.ID, BPMNElementType: names[0],
		BPMNEventType: names[1], FlowScopeKey: scope, ParentProcessInstanceKey: -1,
		ParentElementInstanceKey: -1, TenantID: def.TenantID,
	}
}

// enter writes ELEMENT_ACTIVATING for a new instance of el in scope and
// queues the rest of its activation.
func (p *Processor) enter(scope *instance, el *model.Element) error {
	_, err := p.enterWith(scope, el, nil)
	return err
}

// enterWith enters el carrying the result of the event that triggered it;
// the result is applied when the element completes.
func (p *Processor) enterWith(scope *instance, el *model.Element, result map[string]any) (int64, error) {
	key := p.newKey()
	v := p.elementValue(scope.def, scope.ei.Value.ProcessInstanceKey, scope.ei.Key, el)
	if err := p.write(key, record.IntentElementActivating, v); err != nil {
		return 0, err
	}
	if result != nil {
		p.pendingVars[key] = result
	}
	p.push(step{kind: stepActivate, key: key})
	return key, nil
}

// activate applies input mappings and runs the handler of an ACTIVATING element.
func (p *Processor) activate(key int64) error {
	in, err := p.instance(key)
	if err != nil || in == nil || in.ei.State != state.ElementActivating {
		return err
	}
	ctx := p.newContext(in)
	defer p.release(ctx)
	if err := p.writeFirstLocals(in); err != nil {
		return err
	}
	if err := p.applyInputs(in); err != nil {
		return p.fail(in, err)
	}
	if p.preTriggered[key] {
		// Its event already happened (an event-based gateway's target).
		delete(p.preTriggered, key)
		if err := p.write(key, record.IntentElementActivated, &in.ei.Value); err != nil {
			return err
		}
		p.push(step{kind: stepComplete, key: key})
		return nil
	}
	// A scope a modification created starts with the elements it planned
	// inside, not with what its handler would start.
	planned := p.modPlanned[key]
	if planned == nil || planned.direct {
		if err := in.handler.Activate(ctx); err != nil {
			return p.fail(in, err)
		}
	}
	if ctx.errorCode != nil {
		// A thrown error ends the activation: a catch event takes over, or
		// the element stays ACTIVATING with an incident.
		return p.throwError(in, *ctx.errorCode, "", nil, 0)
	}
	if ctx.escalated != nil {
		// A caught escalation stops the thrower only when its catch
		// interrupts a scope the thrower is in; otherwise it goes on.
		goesOn, err := p.throw(in, element.Thrown{Kind: element.ThrowEscalation, Code: *ctx.escalated}, "", nil, 0)
		if err != nil || !goesOn {
			return err
		}
	}
	var called *state.ProcessDefinition
	if ctx.call != nil {
		var err error
		if called, err = p.calledProcess(in, ctx.call); err != nil {
			return p.fail(in, err)
		}
	}
	if ctx.userTask != nil {
		if err := p.linkForm(in, ctx.userTask); err != nil {
			return p.fail(in, err)
		}
	}
	for _, events := range [][]*model.Element{in.el.Boundaries, p.scopeEvents(in)} {
		for _, b := range events {
			h, ok := p.reg.Handler(b.Kind)
			if !ok {
				return fmt.Errorf("no handler for element kind %s", b.Kind)
			}
			if a, ok := h.(element.Attacher); ok {
				if err := a.Attach(ctx, b); err != nil {
					return p.fail(in, err)
				}
			}
		}
	}
	if err := p.write(key, record.IntentElementActivated, &in.ei.Value); err != nil {
		return err
	}
	if err := p.effects(in, ctx); err != nil {
		return err
	}
	if ctx.compensate != nil {
		if err := p.compensate(in, ctx.compensate); err != nil {
			return err
		}
	}
	if planned != nil {
		delete(p.modPlanned, key)
		if err := p.plannedChildren(in, planned); err != nil {
			return err
		}
	}
	if called != nil {
		return p.callProcess(in, called, ctx.call)
	}
	return nil
}

// effects carries out what a handler asked for during one step.
func (p *Processor) effects(in *instance, ctx *elementContext) error {
	if err := p.writeLocals(in, ctx); err != nil {
		return err
	}
	for _, spec := range ctx.jobs {
		if err := p.createJob(in, spec); err != nil {
			return err
		}
	}
	if ctx.userTask != nil {
		if err := p.createUserTask(in, ctx.userTask); err != nil {
			return err
		}
	}
	for _, t := range ctx.timers {
		if err := p.createTimer(in, t); err != nil {
			return err
		}
	}
	for _, sub := range ctx.subs {
		if err := p.openSubscription(in, sub); err != nil {
			return err
		}
	}
	if err := p.throwSignals(in, ctx.signals); err != nil {
		return err
	}
	for i, child := range ctx.children {
		key, err := p.enterWith(in, child, p.startResult(in, child))
		if err != nil {
			return err
		}
		p.keepLocals(ctx, i, key)
	}
	if ctx.complete {
		p.push(step{kind: stepComplete, key: in.ei.Key})
	}
	return nil
}

// complete runs the completion of an ACTIVATED element, or resumes that of
// a COMPLETING one after an incident was resolved.
func (p *Processor) complete(key int64) error {
	in, err := p.instance(key)
	if err != nil || in == nil {
		return err
	}
	switch in.ei.State {
	case state.ElementActivated:
		if err := p.write(key, record.IntentElementCompleting, &in.ei.Value); err != nil {
			return err
		}
	case state.ElementCompleting:
	default:
		return nil
	}
	if result, ok := p.pendingVars[key]; ok {
		if err := p.applyResult(in, result); err != nil {
			var f *element.Failure
			if errors.As(err, &f) {
				delete(p.pendingVars, key)
				return p.fail(in, err)
			}
			return err
		}
		delete(p.pendingVars, key)
	}
	var scope *instance
	if in.ei.Value.FlowScopeKey > 0 {
		if scope, err = p.instance(in.ei.Value.FlowScopeKey); err != nil {
			return err
		}
	}
	if err := p.applyOutputs(in, keepsChildScopes(scope)); err != nil {
		return p.fail(in, err)
	}
	ctx := p.newContext(in)
	defer p.release(ctx)
	if err := in.handler.Complete(ctx); err != nil {
		return p.fail(in, err)
	}
	sctx, err := p.childCompleting(scope, in, ctx)
	if err != nil {
		return p.fail(in, err)
	}
	if sctx != nil {
		defer p.release(sctx)
	}
	if err := p.closeEvents(in); err != nil {
		return err
	}
	if e, ok := in.handler.(element.ScopeEnder); ok && e.EndsScope(in.el) {
		for _, sib := range p.st.Children(in.ei.Value.FlowScopeKey) {
			if sib.Key != key && sib.State != state.ElementTerminating {
				p.push(step{kind: stepTerminate, key: sib.Key})
			}
		}
	}
	v := in.ei.Value
	var childVars map[string]any
	if v.FlowScopeKey <= 0 && v.ParentElementInstanceKey > 0 {
		childVars = map[string]any{}
		for name, vv := range p.st.LocalVariables(key) {
			childVars[name] = vv.Value
		}
	}
	if err := p.compensationsEnding(in); err != nil {
		return err
	}
	if err := p.write(key, record.IntentElementCompleted, &v); err != nil {
		return err
	}
	if err := p.compensationsCompleted(in); err != nil {
		return err
	}
	if v.FlowScopeKey <= 0 {
		if v.ParentElementInstanceKey > 0 {
			return p.calledProcessCompleted(v.ParentElementInstanceKey, childVars)
		}
		return nil // the process instance is done
	}
	if scope == nil {
		return nil
	}
	for _, f := range ctx.taken {
		if err := p.takeFlow(scope, f, key); err != nil {
			return err
		}
	}
	for _, target := range ctx.jumps {
		if err := p.enter(scope, target); err != nil {
			return err
		}
	}
	if sctx != nil {
		if err := p.effects(scope, sctx); err != nil {
			return err
		}
	}
	p.push(step{kind: stepChildCompleted, key: scope.ei.Key, child: in.el})
	return nil
}

// takeFlow writes SEQUENCE_FLOW_TAKEN and lets the token arrive at the target.
func (p *Processor) takeFlow(scope *instance, f *model.SequenceFlow, source int64) error {
	v := p.elementValue(scope.def, scope.ei.Value.ProcessInstanceKey, scope.ei.Key, f.Target)
	v.ElementID = f.ID
	v.BPMNElementType = model.ElementTypeSequenceFlow
	v.BPMNEventType = ""
	if err := p.write(p.newKey(), record.IntentSequenceFlowTaken, v); err != nil {
		return err
	}
	h, ok := p.reg.Handler(f.Target.Kind)
	if !ok {
		return fmt.Errorf("no handler for element kind %s", f.Target.Kind)
	}
	if j, ok := h.(element.Joiner); ok {
		if !j.Ready(f.Target, scope.ei.Waiting, p.activeElements(scope)) {
			return nil
		}
	}
	loop := p.countFlow(scope.ei.Key, f)
	var key int64
	var err error
	if from := p.handedOver[source]; from != nil && from == f.Target {
		key, err = p.enterWith(scope, f.Target, emptyIfNil(p.pendingVars[-source]))
		delete(p.pendingVars, -source)
		p.preTriggered[key] = true
	} else {
		key, err = p.enterWith(scope, f.Target, nil)
	}
	if err == nil && loop != "" {
		p.stopAt[key] = loop
	}
	return err
}

// activeElements returns the model elements of a scope's running children.
func (p *Processor) activeElements(scope *instance) []*model.Element {
	m, err := p.st.Model(scope.def)
	if err != nil {
		return nil
	}
	var out []*model.Element
	for _, c := range p.st.Children(scope.ei.Key) {
		if el := m.Elements[c.Value.ElementID]; el != nil {
			out = append(out, el)
		}
	}
	return out
}

// checkJoins activates joining gateways of a scope whose waiting tokens
// became enough because another token ended elsewhere.
func (p *Processor) checkJoins(scope *instance) error {
	if len(scope.ei.Waiting) == 0 {
		return nil
	}
	m, err := p.st.Model(scope.def)
	if err != nil {
		return err
	}
	seen := map[*model.Element]bool{}
	flows := make([]string, 0, len(scope.ei.Waiting))
	for id := range scope.ei.Waiting {
		flows = append(flows, id)
	}
	sort.Strings(flows)
	for _, id := range flows {
		f := m.Flows[id]
		if f == nil || seen[f.Target] {
			continue
		}
		seen[f.Target] = true
		h, ok := p.reg.Handler(f.Target.Kind)
		if !ok {
			continue
		}
		if j, ok := h.(element.Joiner); ok && j.Ready(f.Target, scope.ei.Waiting, p.activeElements(scope)) {
			if err := p.enter(scope, f.Target); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Processor) childCompleted(key int64, child *model.Element) error {
	in, err := p.instance(key)
	if err != nil || in == nil || in.ei.State != state.ElementActivated {
		return err
	}
	c, ok := in.handler.(element.Container)
	if !ok {
		return fmt.Errorf("element %s has children but its handler is no container", in.el.ID)
	}
	if err := p.checkJoins(in); err != nil {
		return err
	}
	ctx := p.newContext(in)
	defer p.release(ctx)
	if err := c.ChildCompleted(ctx, child); err != nil {
		return p.fail(in, err)
	}
	return p.effects(in, ctx)
}

// terminate ends an element and everything inside it. Children terminate
// first; the element follows when its last child has terminated.
func (p *Processor) terminate(key int64) error {
	in, err := p.instance(key)
	if err != nil || in == nil || in.ei.State.Final() {
		return err
	}
	if in.ei.State != state.ElementTerminating {
		if err := p.write(key, record.IntentElementTerminating, &in.ei.Value); err != nil {
			return err
		}
	}
	if child := p.st.CalledInstance(key); child != 0 {
		// The called process terminates first; its end brings us back here.
		if c := p.st.Element(child); c != nil && c.State != state.ElementTerminating {
			p.push(step{kind: stepTerminate, key: child})
		}
		return nil
	}
	if children := p.st.Children(key); len(children) > 0 {
		for _, c := range children {
			if c.State != state.ElementTerminating {
				p.push(step{kind: stepTerminate, key: c.Key})
			}
		}
		return nil
	}
	if err := p.cleanUp(in); err != nil {
		return err
	}
	tctx := p.newContext(in)
	err = in.handler.Terminate(tctx)
	p.release(tctx)
	if err != nil {
		return err
	}
	if err := p.compensationsEnding(in); err != nil {
		return err
	}
	v := in.ei.Value
	if err := p.write(key, record.IntentElementTerminated, &v); err != nil {
		return err
	}
	if then, ok := p.afterTerminate[key]; ok {
		delete(p.afterTerminate, key)
		if err := then(); err != nil {
			return err
		}
	}
	if v.FlowScopeKey <= 0 && v.ParentElementInstanceKey > 0 {
		if parent := p.st.Element(v.ParentElementInstanceKey); parent != nil && parent.State == state.ElementTerminating {
			p.push(step{kind: stepTerminate, key: parent.Key})
		}
		return nil
	}
	scope := p.st.Element(v.FlowScopeKey)
	switch {
	case scope == nil:
	case scope.State == state.ElementTerminating && scope.ActiveChildren == 0:
		p.push(step{kind: stepTerminate, key: scope.Key})
	case scope.State == state.ElementActivated && p.modTerminated[key] && emptied(scope):
		// A modification terminated the scope's last element (modify.go).
		p.modTerminated[scope.Key] = true
		p.push(step{kind: stepTerminate, key: scope.Key})
	case scope.State == state.ElementActivated && p.interrupted[scope.Key] != nil:
		// An interrupting event subprocess waits for the scope's last
		// child to end (eventHappened); the container hears nothing.
		if scope.ActiveChildren == 0 {
			enter := p.interrupted[scope.Key]
			delete(p.interrupted, scope.Key)
			return enter()
		}
	case scope.State == state.ElementActivated:
		p.push(step{kind: stepChildCompleted, key: scope.Key, child: in.el})
	}
	return nil
}

// cleanUp cancels the element's job, timers and subscriptions and resolves
// its incident.
func (p *Processor) cleanUp(in *instance) error {
	if err := p.closeEvents(in); err != nil {
		return err
	}
	if in.ei.IncidentKey != 0 {
		if inc := p.st.Incident(in.ei.IncidentKey); inc != nil {
			v := inc.Value
			if err := p.write(inc.Key, record.IntentIncidentResolved, &v); err != nil {
				return err
			}
		}
	}
	if t := p.st.UserTaskOf(in.ei.Key); t != nil {
		v := t.Value
		v.CompletionTimestamp = p.cmd.Timestamp
		if err := p.write(t.Key, record.IntentUserTaskCanceled, &v); err != nil {
			return err
		}
	}
	if in.ei.JobKey != 0 {
		if j := p.st.Job(in.ei.JobKey); j != nil {
			v := j.Value
			if err := p.write(j.Key, record.IntentJobCanceled, &v); err != nil {
				return err
			}
		}
	}
	return nil
}

// fail turns a handler's failure into an incident on the element. An error
// that is not a Failure is a bug; it still becomes an incident, because the
// command has written events already and cannot be rejected any more.
func (p *Processor) fail(in *instance, err error) error {
	var f *element.Failure
	if !errors.As(err, &f) {
		var rj *Rejection
		if errors.As(err, &rj) {
			return err
		}
		f = &element.Failure{Type: record.ErrorUnknown, Message: err.Error()}
	}
	return p.raiseIncident(in, f, 0)
}

func (p *Processor) raiseIncident(in *instance, f *element.Failure, jobKey int64) error {
	v := &record.IncidentValue{
		ErrorType: f.Type, ErrorMessage: f.Message, BPMNProcessID: in.def.BPMNProcessID,
		ProcessDefinitionKey: in.def.ProcessDefinitionKey, ProcessInstanceKey: in.ei.Value.ProcessInstanceKey,
		ElementID: in.el.ID, ElementInstanceKey: in.ei.Key, JobKey: jobKey, VariableScopeKey: in.ei.Key,
		TenantID: in.def.TenantID,
	}
	return p.write(p.newKey(), record.IntentIncidentCreated, v)
}
