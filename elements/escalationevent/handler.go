package escalationevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Throw runs intermediate escalation throw events: the escalation is
// thrown once the event is activated and, unless an interrupting catch
// event ends a scope the event is in, the token moves on.
type Throw struct{ element.PassThrough }

// Validate requires an escalation with a code.
func (Throw) Validate(el *model.Element) []element.Problem { return requireCode(el) }

// Activate throws the escalation and completes the element.
func (Throw) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	v, err := ctx.Eval(el.Escalation.Code)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "evaluate escalation code of '%s': %v", el.ID, err)
	}
	code, ok := v.(string)
	if !ok || code == "" {
		return element.Failf(record.ErrorExtractValue, "escalation code of '%s' must be a non-empty string, but it is %s", el.ID, element.Describe(v))
	}
	ctx.ThrowEscalation(code)
	ctx.Complete()
	return nil
}

// End runs escalation end events: they throw like throw events and end
// their token.
type End struct{ Throw }

// Validate requires an escalation with a code and no outgoing flows.
func (End) Validate(el *model.Element) []element.Problem {
	out := requireCode(el)
	if len(el.Outgoing) > 0 {
		out = append(out, element.Problem{Msg: "an end event must not have outgoing sequence flows"})
	}
	return out
}

// Complete takes no flow: the token ends here.
func (End) Complete(element.CompleteContext) error { return nil }

func requireCode(el *model.Element) []element.Problem {
	switch {
	case el.Escalation == nil:
		return []element.Problem{{Attribute: "escalationRef", Msg: "an escalation throw event must reference an escalation"}}
	case el.Escalation.Code == nil:
		return []element.Problem{{Attribute: "escalationCode", Msg: "the escalation '" + el.Escalation.ID + "' of an escalation throw event needs an escalation code"}}
	}
	return nil
}

// Boundary runs escalation boundary events, interrupting or not; the
// kernel activates them when they catch an escalation.
type Boundary struct{ element.PassThrough }

// Validate requires a static code and a subprocess or call activity to
// sit on, and refuses a second escalation boundary on the same activity
// catching the same code (or a second catch-all).
func (Boundary) Validate(el *model.Element) []element.Problem {
	out := staticCode(el)
	if el.AttachedTo == nil {
		return out
	}
	on := el.AttachedTo
	if w := on.Wrapped(); w != nil {
		on = w // a multi-instance body: what it runs
	}
	if on.Type != "subProcess" && on.Type != "callActivity" {
		out = append(out, element.Problem{Attribute: "attachedToRef", Msg: "an escalation boundary event may only sit on a subprocess or a call activity, not on '" + on.ID + "'"})
	}
	mine := code(el)
	for _, other := range el.AttachedTo.Boundaries {
		if other == el || other.Kind != model.KindEscalationBoundaryEvent || code(other) != mine {
			continue
		}
		out = append(out, element.Problem{Msg: "'" + el.AttachedTo.ID + "' has two " + what("boundary", mine) + ": '" + el.ID + "' and '" + other.ID + "'"})
		break
	}
	return out
}

// Catches implements element.Catcher.
func (Boundary) Catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	return catches(eval, el, t)
}

// RefuseActivation implements element.ActivationRefuser.
func (Boundary) RefuseActivation(el *model.Element) string { return element.BoundaryEventRefusal(el) }

// Start runs the escalation start events of event subprocesses: the
// kernel starts the event subprocess when the event catches an escalation
// thrown in the subprocess's scope.
type Start struct{ element.PassThrough }

// Validate requires a static code, an event subprocess around the event,
// and no second escalation start event catching the same code (or a
// second catch-all) among the event subprocesses of the same scope.
func (Start) Validate(el *model.Element) []element.Problem {
	out := staticCode(el)
	sub := el.Parent
	if sub == nil || sub.Kind != model.KindEventSubProcess {
		return append(out, element.Problem{Msg: "an escalation start event may only start an event subprocess"})
	}
	if sub.Parent == nil {
		return out
	}
	mine := code(el)
	for _, sib := range sub.Parent.Children {
		if sib == sub || sib.Kind != model.KindEventSubProcess {
			continue
		}
		for _, other := range sib.Children {
			if other.Kind == model.KindEscalationStartEvent && code(other) == mine {
				return append(out, element.Problem{Msg: "'" + sub.Parent.ID + "' has two " + what("start", mine) + ": '" + el.ID + "' and '" + other.ID + "'"})
			}
		}
	}
	return out
}

// Catches implements element.Catcher.
func (Start) Catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	return catches(eval, el, t)
}

// catches matches escalations with the event's code, or every escalation
// when it has none.
func catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	if t.Kind != element.ThrowEscalation {
		return element.NoMatch
	}
	if el.Escalation == nil || el.Escalation.Code == nil {
		return element.MatchAll
	}
	c, err := eval(el.Escalation.Code)
	if s, ok := c.(string); err == nil && ok && s == t.Code {
		return element.MatchExact
	}
	return element.NoMatch
}

// staticCode refuses a catch event whose escalation code is an expression:
// a catch event's code must be known at deploy time, as in Zeebe.
func staticCode(el *model.Element) []element.Problem {
	if el.Escalation != nil && el.Escalation.Code != nil && !el.Escalation.Code.IsStatic() {
		return []element.Problem{{Attribute: "escalationCode", Msg: "the escalation code of an escalation catch event must be a static value, not an expression"}}
	}
	return nil
}

func code(el *model.Element) string {
	if el.Escalation == nil || el.Escalation.Code == nil {
		return ""
	}
	return el.Escalation.Code.Source()
}

func what(event, code string) string {
	if code == "" {
		return "catch-all escalation " + event + " events"
	}
	return "escalation " + event + " events catching '" + code + "'"
}

// Interface guards
var (
	_ element.Handler           = Throw{}
	_ element.Handler           = End{}
	_ element.Handler           = Boundary{}
	_ element.Handler           = Start{}
	_ element.ActivationRefuser = Boundary{}
	_ element.Catcher           = Boundary{}
	_ element.Catcher           = Start{}
)
