package compensationevent

import (
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Boundary runs compensation boundary events. It never waits and is never
// entered: the kernel remembers the activity it sits on when that activity
// completes, and a compensation throw or end event runs its handler.
type Boundary struct{ element.PassThrough }

// Validate applies Zeebe's rules: the event sits on an activity that has no
// other compensation boundary event, has no outgoing sequence flows, and
// is associated with exactly one compensation handler, an activity of the
// same scope with isForCompensation="true", without sequence flows or
// boundary events.
func (Boundary) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	if el.AttachedTo == nil {
		return []element.Problem{{Attribute: "attachedToRef", Msg: "a compensation boundary event must be attached to an activity"}}
	}
	for _, other := range el.AttachedTo.Boundaries {
		if other != el && other.Kind == el.Kind {
			out = append(out, element.Problem{Msg: fmt.Sprintf("'%s' has two compensation boundary events: '%s' and '%s'", el.AttachedTo.ID, el.ID, other.ID)})
			break
		}
	}
	if len(el.Outgoing) > 0 {
		out = append(out, element.Problem{Msg: "a compensation boundary event must not have outgoing sequence flows: its handler is linked by an association"})
	}
	handlers := el.Associated
	if len(handlers) != 1 {
		return append(out, element.Problem{Msg: fmt.Sprintf("a compensation boundary event needs exactly one compensation handler associated with it, but it has %d", len(handlers))})
	}
	h := handlers[0]
	switch {
	case !h.IsActivity():
		out = append(out, element.Problem{Msg: fmt.Sprintf("the compensation handler '%s' must be an activity, but it is a %s", h.ID, h.Type)})
	case !h.ForCompensation:
		out = append(out, element.Problem{Msg: fmt.Sprintf("the compensation handler '%s' must have isForCompensation=\"true\"", h.ID)})
	case h.Parent != el.Parent:
		out = append(out, element.Problem{Msg: fmt.Sprintf("the compensation handler '%s' must be in the same scope as the boundary event", h.ID)})
	case len(h.Incoming) > 0 || len(h.Outgoing) > 0:
		out = append(out, element.Problem{Msg: fmt.Sprintf("the compensation handler '%s' must not have incoming or outgoing sequence flows", h.ID)})
	case len(h.Boundaries) > 0:
		out = append(out, element.Problem{Msg: fmt.Sprintf("the compensation handler '%s' must not have boundary events", h.ID)})
	}
	return out
}

// CompensationHandler implements element.CompensationBoundary.
func (Boundary) CompensationHandler(el *model.Element) *model.Element {
	if len(el.Associated) != 1 {
		return nil
	}
	return el.Associated[0]
}

// RefuseActivation refuses to start the event by modification: it is
// entered by no token.
func (Boundary) RefuseActivation(el *model.Element) string { return element.BoundaryEventRefusal(el) }

// Throw runs compensation intermediate throw events: it compensates and
// waits until the handlers completed, then takes its outgoing flows.
type Throw struct{ element.PassThrough }

// Validate checks the activityRef (validateRef).
func (Throw) Validate(el *model.Element) []element.Problem { return validateRef(el) }

// Activate asks the kernel to compensate; the kernel completes the event
// once the handlers completed.
func (Throw) Activate(ctx element.ActivateContext) error { return compensate(ctx) }

// End runs compensation end events: it compensates, waits until the
// handlers completed, and ends its token.
type End struct{ element.PassThrough }

// Validate checks the activityRef (validateRef).
func (End) Validate(el *model.Element) []element.Problem { return validateRef(el) }

// Activate asks the kernel to compensate.
func (End) Activate(ctx element.ActivateContext) error { return compensate(ctx) }

func compensate(ctx element.ActivateContext) error {
	el := ctx.Element()
	c, ok := ctx.(element.Compensations)
	if !ok || el.Compensation == nil {
		return fmt.Errorf("compensation event %s: the kernel cannot compensate", el.ID)
	}
	c.Compensate(el.Compensation.ActivityRef, inEventSubprocess(el))
	return nil
}

// inEventSubprocess reports whether el sits in an event subprocess: its
// compensation reaches the scope the event subprocess runs in, as Zeebe's.
func inEventSubprocess(el *model.Element) bool {
	return el.Parent != nil && el.Parent.Kind == model.KindEventSubProcess && el.Parent.Parent != nil
}

// validateRef applies Zeebe's rules to a compensation throw or end event:
// its activityRef, when set, names an activity of the event's own flow
// scope (or, in an event subprocess, of the scope the event subprocess is
// in) that has a compensation boundary event or is a subprocess with one
// inside.
func validateRef(el *model.Element) []element.Problem {
	if el.Compensation == nil {
		return []element.Problem{{Msg: "a compensation event needs a compensateEventDefinition"}}
	}
	ref := el.Compensation.ActivityRef
	if ref == "" {
		return nil
	}
	var target *model.Element
	scopes := []*model.Element{el.Parent}
	if inEventSubprocess(el) {
		scopes = append(scopes, el.Parent.Parent)
	}
	for _, s := range scopes {
		if s == nil {
			continue
		}
		for _, c := range s.Children {
			if c.ID == ref {
				target = c
			}
		}
	}
	switch {
	case target == nil:
		return []element.Problem{{Attribute: "activityRef", Msg: fmt.Sprintf("the activity '%s' to compensate is not in the compensation event's scope '%s'", ref, el.Parent.ID)}}
	case !target.IsActivity():
		return []element.Problem{{Attribute: "activityRef", Msg: fmt.Sprintf("'%s' is no activity and cannot be compensated", ref)}}
	case !compensable(target):
		return []element.Problem{{Attribute: "activityRef", Msg: fmt.Sprintf("the activity '%s' has no compensation boundary event and no compensation inside: there is nothing to compensate", ref)}}
	}
	return nil
}

// compensable reports whether an activity has a compensation boundary
// event or contains an activity that has one.
func compensable(a *model.Element) bool {
	for _, b := range a.Boundaries {
		if b.Kind == model.KindCompensationBoundaryEvent {
			return true
		}
	}
	for _, c := range a.Children {
		if c.Kind != model.KindEventSubProcess && compensable(c) {
			return true
		}
	}
	return false
}

// Interface guards
var (
	_ element.Handler              = Boundary{}
	_ element.CompensationBoundary = Boundary{}
	_ element.ActivationRefuser    = Boundary{}
	_ element.Handler              = Throw{}
	_ element.Handler              = End{}
)
