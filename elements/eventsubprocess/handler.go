package eventsubprocess

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs event subprocesses.
type Handler struct {
	element.PassThrough
	element.EventSubprocesses // event subprocesses inside event subprocesses
}

// Validate requires exactly one start event with an event definition, and
// no sequence flows in or out, as Zeebe does; an error start event must
// interrupt.
func (Handler) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	if len(el.Incoming) > 0 || len(el.Outgoing) > 0 {
		out = append(out, element.Problem{Msg: "an event subprocess must not have incoming or outgoing sequence flows"})
	}
	var starts []*model.Element
	for _, c := range el.Children {
		if c.Type == "startEvent" {
			starts = append(starts, c)
		}
	}
	if len(starts) != 1 {
		return append(out, element.Problem{Msg: "an event subprocess must have exactly one start event"})
	}
	switch s := starts[0]; s.Kind {
	case model.KindStartEvent:
		out = append(out, element.Problem{Msg: "the start event '" + s.ID + "' of an event subprocess needs an event definition (timer, message, signal, error or escalation)"})
	case model.KindErrorStartEvent:
		if !s.CancelActivity {
			out = append(out, element.Problem{Attribute: "isInterrupting", Msg: "the error start event '" + s.ID + "' of an event subprocess must be interrupting"})
		}
	}
	return out
}

// Activate starts the start event whose event happened.
func (Handler) Activate(ctx element.ActivateContext) error {
	start := ctx.TriggeredStart()
	if start == nil {
		return element.Failf(record.ErrorUnknown, "event subprocess '%s' was entered without its start event's event", ctx.Element().ID)
	}
	ctx.ActivateChild(start)
	return nil
}

// ChildCompleted completes the event subprocess once no token is left inside.
func (Handler) ChildCompleted(ctx element.ChildContext, _ *model.Element) error {
	if ctx.ActiveChildren() == 0 {
		ctx.Complete()
	}
	return nil
}

// Complete takes no flow: an event subprocess has none.
func (Handler) Complete(element.CompleteContext) error { return nil }

// Interrupts implements element.Interrupter: entering an interrupting event
// subprocess ends the other tokens of its scope.
func (Handler) Interrupts(el *model.Element) bool {
	for _, c := range el.Children {
		if c.Type == "startEvent" {
			return c.CancelActivity
		}
	}
	return false
}

// RefuseActivation implements element.ActivationRefuser.
func (Handler) RefuseActivation(el *model.Element) string {
	return "it is the event subprocess '" + el.ID + "', which only its start event's event starts"
}

// Interface guards
var (
	_ element.Handler           = Handler{}
	_ element.Container         = Handler{}
	_ element.EventScope        = Handler{}
	_ element.EventOwner        = Handler{}
	_ element.Interrupter       = Handler{}
	_ element.ActivationRefuser = Handler{}
)
