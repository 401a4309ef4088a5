package engine

import (
	"context"
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
)

// A caller may activate child flow nodes of a running container instance
// whose handler lets it (element.ChildActivator: an ad-hoc subprocess's
// inner elements, Camunda's activateAdHocSubProcessActivities). The
// command is checked whole before anything is written: the instance must
// be active and its handler a ChildActivator, every element a child of it
// that the handler accepts, none named twice. Then ACTIVATED is written
// and each element is entered in the container instance, in the order
// given, with its variables local to its new instance, as a process
// instance modification enters an element in an existing scope
// (enterPlanned).

// ActivateChildrenRequest activates child flow nodes of the container
// instance ContainerKey, each with variables local to its new instance.
type ActivateChildrenRequest struct {
	ContainerKey int64
	Elements     []record.AdHocActivateElement
}

// ActivateChildren implements Client.
func (e *Engine) ActivateChildren(ctx context.Context, req ActivateChildrenRequest) error {
	_, err := e.submit(ctx, &record.Record{Key: req.ContainerKey, ValueType: record.TypeAdHocSubProcessInstruction,
		Intent: record.IntentAdHocSubProcessActivate, Version: 1,
		Value: &record.AdHocSubProcessInstructionValue{AdHocSubProcessInstanceKey: req.ContainerKey, ActivateElements: req.Elements}})
	return err
}

func (p *Processor) activateChildren(key int64, v *record.AdHocSubProcessInstructionValue) error {
	in, err := p.instance(key)
	if err != nil {
		return err
	}
	var ca element.ChildActivator
	if in != nil && in.ei.State == state.ElementActivated && in.ei.Value.FlowScopeKey > 0 {
		ca, _ = in.handler.(element.ChildActivator)
	}
	if ca == nil {
		return reject(record.RejectionNotFound, "expected to activate elements of an active ad-hoc subprocess instance with key '%d', but no such instance was found", key)
	}
	m, err := p.st.Model(in.def)
	if err != nil {
		return err
	}
	nodes := make([]*modNode, 0, len(v.ActivateElements))
	seen := map[string]bool{}
	for _, a := range v.ActivateElements {
		refuse := func(format string, args ...any) error {
			return reject(record.RejectionInvalidArgument, "expected to activate element '%s' in the ad-hoc subprocess instance '%d' ('%s'), but %s",
				a.ElementID, key, in.el.ID, fmt.Sprintf(format, args...))
		}
		el := m.Elements[a.ElementID]
		switch {
		case el == nil || el.Parent != in.el:
			return refuse("it is no element of it")
		case seen[a.ElementID]:
			return refuse("it is named twice")
		}
		if why := ca.RefuseChildActivation(in.el, el); why != "" {
			return refuse("%s", why)
		}
		seen[a.ElementID] = true
		nodes = append(nodes, &modNode{el: el, scope: key, direct: true, vars: a.Variables})
	}
	done := *v
	done.AdHocSubProcessInstanceKey = key
	done.ProcessInstanceKey = in.ei.Value.ProcessInstanceKey
	done.BPMNProcessID, done.ProcessDefinitionKey, done.TenantID = in.def.BPMNProcessID, in.def.ProcessDefinitionKey, in.def.TenantID
	if err := p.write(key, record.IntentAdHocSubProcessActivated, &done); err != nil {
		return err
	}
	for _, n := range nodes {
		if err := p.enterPlanned(in, n); err != nil {
			return err
		}
	}
	return nil
}
