package subprocess

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs embedded subprocesses.
type Handler struct {
	element.PassThrough
	element.EventSubprocesses
}

// Validate requires exactly one none start event inside.
func (Handler) Validate(el *model.Element) []element.Problem {
	var n int
	for _, c := range el.Children {
		if c.Kind == model.KindStartEvent {
			n++
		} else if c.Type == "startEvent" {
			return []element.Problem{{Msg: "an embedded subprocess must start with a none start event, but '" + c.ID + "' is a " + string(c.Kind)}}
		}
	}
	if n != 1 {
		return []element.Problem{{Msg: "an embedded subprocess must have exactly one none start event"}}
	}
	return nil
}

// Activate starts the none start event inside.
func (Handler) Activate(ctx element.ActivateContext) error {
	ctx.ActivateChild(element.SingleStartEvent(ctx.Element()))
	return nil
}

// ChildCompleted completes the subprocess once no token is left inside.
func (Handler) ChildCompleted(ctx element.ChildContext, _ *model.Element) error {
	if ctx.ActiveChildren() == 0 {
		ctx.Complete()
	}
	return nil
}

// Interface guards
var (
	_ element.Handler    = Handler{}
	_ element.Container  = Handler{}
	_ element.EventScope = Handler{}
	_ element.EventOwner = Handler{}
)
