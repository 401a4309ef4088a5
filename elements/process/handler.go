package process

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs the process root.
type Handler struct{ element.EventSubprocesses }

// Validate rejects a scope with more than one none start event.
func (Handler) Validate(el *model.Element) []element.Problem {
	var n int
	for _, c := range el.Children {
		if c.Kind == model.KindStartEvent {
			n++
		}
	}
	if n > 1 {
		return []element.Problem{{Msg: "must not have more than one none start event"}}
	}
	return nil
}

// Activate starts the start event the instance was started at, or the none start event.
func (Handler) Activate(ctx element.ActivateContext) error {
	if start := ctx.TriggeredStart(); start != nil {
		ctx.ActivateChild(start)
		return nil
	}
	if start := element.SingleStartEvent(ctx.Element()); start != nil {
		ctx.ActivateChild(start)
		return nil
	}
	ctx.Complete()
	return nil
}

// Complete has no flows to take.
func (Handler) Complete(element.CompleteContext) error { return nil }

// Terminate has nothing to undo: the kernel terminated the children.
func (Handler) Terminate(element.Scope) error { return nil }

// ChildCompleted completes the process once no token is left in it.
func (Handler) ChildCompleted(ctx element.ChildContext, _ *model.Element) error {
	if ctx.ActiveChildren() == 0 {
		ctx.Complete()
	}
	return nil
}

// PlainStart implements element.Starter: a plain creation starts at the
// none start event.
func (Handler) PlainStart(root *model.Element) *model.Element { return element.SingleStartEvent(root) }

// Interface guards
var (
	_ element.Handler    = Handler{}
	_ element.Starter    = Handler{}
	_ element.EventScope = Handler{}
	_ element.EventOwner = Handler{}
	_ element.Container  = Handler{}
)
