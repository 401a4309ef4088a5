package adhocsubprocess

import (
	"fmt"
	"strings"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs ad-hoc subprocesses.
type Handler struct{}

// Validate checks Camunda's constraints: at least one activity inside, no
// start or end events, and an outgoing sequence flow on every
// intermediate catch event.
func (Handler) Validate(el *model.Element) []element.Problem {
	var problems []element.Problem
	if el.Task != nil {
		problems = append(problems, element.Problem{Attribute: "zeebe:taskDefinition", Msg: "an ad-hoc subprocess implemented by a job worker is not supported"})
	}
	activities := 0
	for _, c := range el.Children {
		switch {
		case c.Kind == model.KindEventSubProcess:
			problems = append(problems, element.Problem{Msg: "an event subprocess inside an ad-hoc subprocess is not supported, but '" + c.ID + "' is one"})
		case c.Type == "startEvent" || c.Type == "endEvent":
			problems = append(problems, element.Problem{Msg: "an ad-hoc subprocess must not contain start or end events, but '" + c.ID + "' is a " + c.Type})
		case c.Type == "intermediateCatchEvent" && len(c.Outgoing) == 0:
			problems = append(problems, element.Problem{Msg: "the intermediate catch event '" + c.ID + "' of an ad-hoc subprocess must have an outgoing sequence flow"})
		case c.Type != "boundaryEvent" && !strings.HasSuffix(c.Type, "Event") && !strings.HasSuffix(c.Type, "Gateway"):
			activities++
		}
	}
	if activities == 0 {
		problems = append(problems, element.Problem{Msg: "an ad-hoc subprocess must contain at least one activity"})
	}
	return problems
}

// Activate activates the inner elements activeElementsCollection names,
// in list order. A value that is no list of ids of activatable inner
// elements is an incident.
func (Handler) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	if el.AdHoc == nil || el.AdHoc.ActiveElements == nil {
		return nil
	}
	v, err := ctx.Eval(el.AdHoc.ActiveElements)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "%v", err)
	}
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return element.Failf(record.ErrorExtractValue, "expected activeElementsCollection '%s' to be a list of element ids, but it is %s",
			el.AdHoc.ActiveElements.Source(), describe(v))
	}
	children := make([]*model.Element, 0, len(list))
	for _, item := range list {
		id, ok := item.(string)
		if !ok {
			return element.Failf(record.ErrorExtractValue, "expected activeElementsCollection '%s' to be a list of element ids, but it holds %s",
				el.AdHoc.ActiveElements.Source(), describe(item))
		}
		child := Child(el, id)
		if child == nil {
			return element.Failf(record.ErrorExtractValue, "expected activeElementsCollection '%s' to name elements of the ad-hoc subprocess '%s', but '%s' is no activatable element of it",
				el.AdHoc.ActiveElements.Source(), el.ID, id)
		}
		children = append(children, child)
	}
	for _, c := range children {
		ctx.ActivateChild(c)
	}
	return nil
}

// Complete leaves by the outgoing sequence flows.
func (Handler) Complete(ctx element.CompleteContext) error { return element.TakeOutgoing(ctx) }

// Terminate has nothing of its own to undo.
func (Handler) Terminate(element.Scope) error { return nil }

// ChildCompleting tests the completion condition once the inner element's
// output mappings ran; when it holds and cancelRemainingInstances is set,
// every other inner instance is terminated.
func (Handler) ChildCompleting(ctx element.ChildContext, _ element.Scope) error {
	a := ctx.Element().AdHoc
	if a == nil || a.CompletionCondition == nil || !a.CancelRemainingInstances {
		return nil
	}
	done, err := condition(ctx, a)
	if err != nil || !done {
		return err
	}
	sc, ok := ctx.(element.Scoper)
	if !ok {
		return fmt.Errorf("ad-hoc subprocess %s: the kernel's context cannot terminate children", ctx.Element().ID)
	}
	sc.TerminateChildren()
	return nil
}

// ChildCompleted completes the subprocess once nothing is left inside and
// the completion condition, if any, holds.
func (Handler) ChildCompleted(ctx element.ChildContext, _ *model.Element) error {
	if ctx.ActiveChildren() > 0 {
		return nil
	}
	a := ctx.Element().AdHoc
	if a != nil && a.CompletionCondition != nil {
		done, err := condition(ctx, a)
		if err != nil || !done {
			return err
		}
	}
	ctx.Complete()
	return nil
}

// RefuseChildActivation accepts the inner elements Child finds.
func (Handler) RefuseChildActivation(el, child *model.Element) string {
	if Child(el, child.ID) == nil {
		return "it is no activatable element of the ad-hoc subprocess '" + el.ID + "': only its inner elements without incoming sequence flows are"
	}
	return ""
}

// Child returns the inner element of the ad-hoc subprocess el with the
// given id that can be activated by name (no incoming sequence flow, no
// boundary event, compensation handler or event subprocess), or nil.
func Child(el *model.Element, id string) *model.Element {
	for _, c := range el.Children {
		if c.ID == id {
			if len(c.Incoming) > 0 || c.AttachedTo != nil || c.Type == "boundaryEvent" || c.ForCompensation || c.Kind == model.KindEventSubProcess {
				return nil
			}
			return c
		}
	}
	return nil
}

func condition(ctx element.Scope, a *model.AdHoc) (bool, error) {
	done, err := ctx.EvalBool(a.CompletionCondition)
	if err != nil {
		return false, element.Failf(record.ErrorCondition, "%v", err)
	}
	return done, nil
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("the boolean %v", v)
	case map[string]any:
		return "a context"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// Interface guards
var (
	_ element.Handler        = Handler{}
	_ element.Container      = Handler{}
	_ element.ChildScoper    = Handler{}
	_ element.ChildActivator = Handler{}
)
