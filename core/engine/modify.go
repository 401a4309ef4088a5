package engine

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// A process instance modification (Camunda's) activates elements and
// terminates element instances of one running process instance. It is
// checked whole before anything is written, so that a refused instruction
// refuses the command; then PROCESS_INSTANCE_MODIFICATION MODIFIED is
// written, the activations are entered (in instruction order) and the
// terminations queued after them, so that a "move" (terminate A, activate
// B) never ends the scope they share.
//
// Activation: the element is created in the active instance of its flow
// scope. When that scope has no active instance, the kernel looks further
// out and creates the missing scopes from the nearest one that has exactly
// one (an AncestorScopeKey picks the instance instead; several candidates
// without one refuse the command). A scope created this way starts with
// the planned element instead of what its handler would start (a
// subprocess does not start at its start event). A scope created by an
// earlier instruction of the same command counts as active for the later
// ones. An activated joining gateway passes at once, as in Zeebe: it
// consumes a waiting token from each incoming flow that has one, and a
// token that arrives later waits for the other flows again. Handlers may
// refuse activations of their elements (element.ActivationRefuser: start
// and boundary events, events after an event-based gateway).
//
// Termination: the element instance terminates with everything inside it.
// If that leaves its flow scope with no active element and no token waiting
// at a join, the scope terminates too, and so on outward: a process
// instance left with nothing is terminated. A called process instance left
// with nothing completes instead, so that its call activity goes on.

// ModifyInstanceRequest is a process instance modification.
type ModifyInstanceRequest struct {
	ProcessInstanceKey int64
	Activate           []record.ActivateInstruction
	Terminate          []record.TerminateInstruction
	OperationReference int64
}

// ModifyInstance implements Client.
func (e *Engine) ModifyInstance(ctx context.Context, req ModifyInstanceRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.ProcessInstanceKey, ValueType: record.TypeProcessInstanceModification,
		Intent: record.IntentProcessInstanceModify, Version: 1,
		Value: &record.ProcessInstanceModificationValue{ProcessInstanceKey: req.ProcessInstanceKey,
			ActivateInstructions: req.Activate, TerminateInstructions: req.Terminate, OperationReference: req.OperationReference}})
	return err
}

// modNode is a flow node a modification enters: a scope it creates (with
// the planned elements inside) or an element an instruction activates.
type modNode struct {
	el       *model.Element
	parent   *modNode // the new scope it enters, or nil
	scope    int64    // the existing instance it enters when parent is nil
	direct   bool     // an instruction activates it: its handler's Activate runs
	vars     map[string]any
	children []*modNode
}

// modPlan is a checked modification.
type modPlan struct {
	pi      *instance
	model   *model.Process
	active  map[string][]*state.ElementInstance // element id -> active instances in the process instance
	planned map[string][]*modNode               // element id -> nodes the plan creates
	ops     []func() error                      // in instruction order
}

func (p *Processor) modifyInstance(key int64, v *record.ProcessInstanceModificationValue) error {
	ei := p.st.Element(key)
	if ei == nil || ei.Value.FlowScopeKey > 0 || ei.Key != ei.Value.ProcessInstanceKey {
		return reject(record.RejectionNotFound, "expected to modify a process instance with key '%d', but no such process instance was found", key)
	}
	if ei.State != state.ElementActivated {
		return reject(record.RejectionInvalidState, "expected to modify an active process instance, but process instance '%d' is %s", key, ei.State)
	}
	pi, err := p.instance(key)
	if err != nil {
		return err
	}
	m, err := p.st.Model(pi.def)
	if err != nil {
		return err
	}
	plan := &modPlan{pi: pi, model: m, active: map[string][]*state.ElementInstance{}, planned: map[string][]*modNode{}}
	p.collectActive(plan, key)
	for i := range v.ActivateInstructions {
		if err := p.planActivation(plan, &v.ActivateInstructions[i]); err != nil {
			return err
		}
	}
	var terminate []int64
	for _, t := range v.TerminateInstructions {
		k := t.ElementInstanceKey
		e := p.st.Element(k)
		switch {
		case k == key:
			return reject(record.RejectionInvalidArgument, "expected to terminate an element instance of process instance '%d', but '%d' is the process instance itself: cancel it instead", key, k)
		case e == nil || e.Value.ProcessInstanceKey != key:
			return reject(record.RejectionNotFound, "expected to terminate element instance '%d' of process instance '%d', but no such active element instance was found", k, key)
		case e.State == state.ElementTerminating:
			return reject(record.RejectionInvalidState, "expected to terminate element instance '%d' ('%s'), but it is already being terminated", k, e.Value.ElementID)
		}
		terminate = append(terminate, k)
	}
	done := *v
	done.ProcessInstanceKey = key
	done.BPMNProcessID, done.ProcessDefinitionKey, done.TenantID = pi.def.BPMNProcessID, pi.def.ProcessDefinitionKey, pi.def.TenantID
	if err := p.write(key, record.IntentProcessInstanceModified, &done); err != nil {
		return err
	}
	for _, op := range plan.ops {
		if err := op(); err != nil {
			return err
		}
	}
	for _, k := range terminate {
		p.modTerminated[k] = true
		p.push(step{kind: stepTerminate, key: k})
	}
	return nil
}

// collectActive indexes the activated element instances under scope by
// element id, in key order (called process instances are not inside).
func (p *Processor) collectActive(plan *modPlan, scope int64) {
	for _, c := range p.st.Children(scope) {
		if c.State == state.ElementActivated {
			plan.active[c.Value.ElementID] = append(plan.active[c.Value.ElementID], c)
		}
		p.collectActive(plan, c.Key)
	}
}

// planActivation checks one activate instruction and adds what it does to
// the plan.
func (p *Processor) planActivation(plan *modPlan, in *record.ActivateInstruction) error {
	pi, m := plan.pi, plan.model
	refuse := func(t record.RejectionType, format string, args ...any) error {
		return reject(t, "expected to activate element '%s' in process instance '%d', but %s", in.ElementID, pi.ei.Key, fmt.Sprintf(format, args...))
	}
	el := m.Elements[in.ElementID]
	if el == nil {
		switch {
		case m.Flows[in.ElementID] != nil:
			return refuse(record.RejectionInvalidArgument, "it is a sequence flow: activate its target '%s' instead", m.Flows[in.ElementID].Target.ID)
		case in.ElementID == m.Root.ID:
			return refuse(record.RejectionInvalidArgument, "it is the process itself")
		}
		return refuse(record.RejectionInvalidArgument, "process '%s' has no such element", pi.def.BPMNProcessID)
	}
	h, ok := p.reg.Handler(el.Kind)
	if !ok {
		return fmt.Errorf("no handler for element kind %s", el.Kind)
	}
	if r, ok := h.(element.ActivationRefuser); ok {
		if why := r.RefuseActivation(el); why != "" {
			return refuse(record.RejectionInvalidArgument, "%s", why)
		}
	}
	// Find where the element goes: an existing instance (scope) or a node
	// the plan creates (parent), and the scopes to create in between.
	var missing []*model.Element // innermost first
	var scope *state.ElementInstance
	var parent *modNode
	if a := in.AncestorScopeKey; a > 0 {
		anc := p.st.Element(a)
		if anc == nil || anc.Value.ProcessInstanceKey != pi.ei.Key || anc.State != state.ElementActivated {
			return refuse(record.RejectionNotFound, "its ancestor element instance '%d' is not an active element instance of the process instance", a)
		}
		for s := el.Parent; ; s = s.Parent {
			if s == nil || s == m.Root && a != pi.ei.Key {
				return refuse(record.RejectionInvalidArgument, "its ancestor element instance '%d' is an instance of '%s', which does not contain it", a, anc.Value.ElementID)
			}
			if s == m.Root && a == pi.ei.Key || s != m.Root && s.ID == anc.Value.ElementID {
				break
			}
			missing = append(missing, s)
		}
		scope = anc
	} else {
		for s := el.Parent; scope == nil && parent == nil; s = s.Parent {
			if s == m.Root {
				scope = pi.ei
				break
			}
			existing, planned := plan.active[s.ID], plan.planned[s.ID]
			switch n := len(existing) + len(planned); {
			case n > 1:
				return refuse(record.RejectionInvalidArgument, "its flow scope '%s' has %d active instances: choose one with ancestorElementInstanceKey", s.ID, n)
			case len(existing) == 1:
				scope = existing[0]
			case len(planned) == 1:
				parent = planned[0]
			default:
				missing = append(missing, s)
			}
		}
	}
	// Variables go to the element, one of its flow scopes or the process.
	byScope := map[string]map[string]any{}
	var scopes []string
	for _, vi := range in.VariableInstructions {
		id := vi.ScopeID
		if id == "" {
			id = m.Root.ID
		}
		if !onPath(el, id) {
			return refuse(record.RejectionInvalidArgument, "the scope '%s' of its variables is neither the element nor one of its flow scopes", vi.ScopeID)
		}
		if byScope[id] == nil {
			byScope[id] = map[string]any{}
			scopes = append(scopes, id)
		}
		for k, val := range vi.Variables {
			byScope[id][k] = val
		}
	}
	// Build the nodes, outermost first.
	top := (*modNode)(nil)
	at := parent
	for i := len(missing) - 1; i >= 0; i-- {
		n := &modNode{el: missing[i], parent: at}
		if at == nil {
			n.scope = scope.Key
			top = n
		} else {
			at.children = append(at.children, n)
		}
		plan.planned[n.el.ID] = append(plan.planned[n.el.ID], n)
		at = n
	}
	leaf := &modNode{el: el, parent: at, direct: true}
	if at == nil {
		leaf.scope = scope.Key
		top = leaf
	} else {
		at.children = append(at.children, leaf)
	}
	plan.planned[el.ID] = append(plan.planned[el.ID], leaf)
	// Variables of new nodes ride with them; those of existing scopes are
	// set when the instruction runs.
	var existingVars []func() error
	for _, id := range scopes {
		vars := byScope[id]
		found := false
		for n := leaf; n != nil; n = n.parent {
			if n.el.ID == id {
				if n.vars == nil {
					n.vars = map[string]any{}
				}
				for k, val := range vars {
					n.vars[k] = val
				}
				found = true
				break
			}
		}
		if found {
			continue
		}
		start := scope
		if start == nil {
			for n := leaf; n != nil; n = n.parent {
				if n.parent == nil {
					start = p.st.Element(n.scope)
				}
			}
		}
		for s := start; s != nil; s = p.st.Element(s.Value.FlowScopeKey) {
			if s.Value.ElementID == id {
				target := s
				existingVars = append(existingVars, func() error { return p.setLocals(target, vars) })
				break
			}
			if s.Value.FlowScopeKey <= 0 {
				break
			}
		}
	}
	plan.ops = append(plan.ops, existingVars...)
	if top != nil {
		plan.ops = append(plan.ops, func() error {
			return p.enterPlanned(nil, top)
		})
	}
	return nil
}

// onPath reports whether id names el or one of its flow scopes.
func onPath(el *model.Element, id string) bool {
	for s := el; s != nil; s = s.Parent {
		if s.ID == id {
			return true
		}
	}
	return false
}

// enterPlanned enters a node of a modification in scope (nil: the existing
// instance the node names) with its variables; its planned children enter
// when it is activated (plannedChildren).
func (p *Processor) enterPlanned(scope *instance, n *modNode) error {
	if scope == nil {
		in, err := p.instance(n.scope)
		if err != nil {
			return err
		}
		if in == nil {
			return fmt.Errorf("modification: scope %d of '%s' is gone", n.scope, n.el.ID)
		}
		scope = in
	}
	key, err := p.enterWith(scope, n.el, nil)
	if err != nil {
		return err
	}
	if len(n.vars) > 0 {
		if err := p.setLocals(p.st.Element(key), n.vars); err != nil {
			return err
		}
	}
	if !n.direct || len(n.children) > 0 {
		p.modPlanned[key] = n
	}
	return nil
}

// plannedChildren enters the elements a modification planned inside a
// scope it created, once the scope is activated.
func (p *Processor) plannedChildren(in *instance, n *modNode) error {
	for _, c := range n.children {
		if err := p.enterPlanned(in, c); err != nil {
			return err
		}
	}
	return nil
}

// emptied reports whether a scope a modification terminated an element of
// has nothing left to run, so that it terminates too. A called process
// instance is never emptied this way: it completes, and its caller goes on.
func emptied(scope *state.ElementInstance) bool {
	if scope.Value.FlowScopeKey <= 0 && scope.Value.ParentElementInstanceKey > 0 {
		return false
	}
	return scope.ActiveChildren == 0 && scope.WaitingTokens() == 0
}
