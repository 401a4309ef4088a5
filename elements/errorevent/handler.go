package errorevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// End runs error end events.
type End struct{ element.PassThrough }

// Validate requires an error with a code.
func (End) Validate(el *model.Element) []element.Problem {
	if el.Error == nil || el.Error.Code == nil {
		return []element.Problem{{Attribute: "errorRef", Msg: "an error end event needs an error with an error code"}}
	}
	return nil
}

// Activate throws the error.
func (End) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	v, err := ctx.Eval(el.Error.Code)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "evaluate error code of '%s': %v", el.ID, err)
	}
	code, ok := v.(string)
	if !ok || code == "" {
		return element.Failf(record.ErrorExtractValue, "error code of '%s' must be a non-empty string, but it is %s", el.ID, element.Describe(v))
	}
	ctx.ThrowError(code)
	return nil
}

// Boundary runs error boundary events; the kernel activates them when they
// catch an error.
type Boundary struct{ element.PassThrough }

// Validate rejects non-interrupting error boundaries and a second boundary
// on the same activity catching the same code (or a second catch-all).
func (Boundary) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	if !el.CancelActivity {
		out = append(out, element.Problem{Attribute: "cancelActivity", Msg: "an error boundary event is always interrupting"})
	}
	if el.AttachedTo == nil {
		return out
	}
	mine := code(el)
	for _, other := range el.AttachedTo.Boundaries {
		if other == el || other.Kind != model.KindErrorBoundaryEvent {
			continue
		}
		if code(other) == mine {
			what := "catch-all error boundary events"
			if mine != "" {
				what = "error boundary events catching '" + mine + "'"
			}
			out = append(out, element.Problem{Msg: "'" + el.AttachedTo.ID + "' has two " + what + ": '" + el.ID + "' and '" + other.ID + "'"})
			break
		}
	}
	return out
}

func code(el *model.Element) string {
	if el.Error == nil || el.Error.Code == nil {
		return ""
	}
	return el.Error.Code.Source()
}

// Catches implements element.Catcher: errors with the boundary's code, or
// every error when it has none.
func (Boundary) Catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	return catches(eval, el, t)
}

// Start runs the error start events of event subprocesses: the enclosing
// scope's instance catches an error thrown inside it with them.
type Start struct{ element.PassThrough }

// Validate accepts an error start event only in an event subprocess.
func (Start) Validate(el *model.Element) []element.Problem {
	if !element.InEventSubprocess(el) {
		return []element.Problem{{Msg: "an error start event is allowed only in an event subprocess"}}
	}
	return nil
}

// Catches implements element.Catcher, as error boundary events do.
func (Start) Catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	return catches(eval, el, t)
}

// RefuseActivation implements element.ActivationRefuser.
func (Start) RefuseActivation(el *model.Element) string {
	return element.EventSubprocessStartRefusal(el)
}

func catches(eval func(*expr.Expression) (any, error), el *model.Element, t element.Thrown) element.Match {
	if t.Kind != element.ThrowError {
		return element.NoMatch
	}
	if el.Error == nil || el.Error.Code == nil {
		return element.MatchAll
	}
	c, err := eval(el.Error.Code)
	if s, ok := c.(string); err == nil && ok && s == t.Code {
		return element.MatchExact
	}
	return element.NoMatch
}

// RefuseActivation implements element.ActivationRefuser.
func (Boundary) RefuseActivation(el *model.Element) string { return element.BoundaryEventRefusal(el) }

// Interface guards
var (
	_ element.Handler           = End{}
	_ element.Handler           = Boundary{}
	_ element.ActivationRefuser = Boundary{}
	_ element.Catcher           = Boundary{}
	_ element.Handler           = Start{}
	_ element.Catcher           = Start{}
	_ element.ActivationRefuser = Start{}
)
