package signalevent

import (
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Catch runs intermediate signal catch events.
type Catch struct{ element.PassThrough }

// Validate requires a signal with a name.
func (Catch) Validate(el *model.Element) []element.Problem { return requireSignal(el) }

// Activate opens the subscription; the kernel completes the element when
// the signal is broadcast.
func (Catch) Activate(ctx element.ActivateContext) error {
	return element.OpenSignalSubscription(ctx, ctx.Element(), true)
}

// CatchEvents implements element.Waiter: a signal catch event waits for its
// own signal.
func (Catch) CatchEvents(el *model.Element) []*model.Element { return []*model.Element{el} }

// Subscribe implements element.Subscriber: it opens the event's signal
// subscription.
func (Catch) Subscribe(ctx element.WaitContext, event *model.Element) error {
	return element.OpenSignalSubscription(ctx, event, true)
}

// Boundary runs signal boundary events, interrupting or not.
type Boundary struct{ element.PassThrough }

// Validate requires a signal with a name.
func (Boundary) Validate(el *model.Element) []element.Problem { return requireSignal(el) }

// Attach opens the boundary's subscription when its activity is activated.
func (Boundary) Attach(ctx element.WaitContext, b *model.Element) error {
	return element.OpenSignalSubscription(ctx, b, b.CancelActivity)
}

// Throw runs intermediate signal throw events: the signal is broadcast once
// the event is activated, and the token moves on.
type Throw struct{ element.PassThrough }

// Validate requires a signal with a name.
func (Throw) Validate(el *model.Element) []element.Problem { return requireSignal(el) }

// Activate broadcasts the signal and completes the element.
func (Throw) Activate(ctx element.ActivateContext) error {
	name, err := element.SignalName(ctx, ctx.Element())
	if err != nil {
		return err
	}
	ctx.BroadcastSignal(name)
	ctx.Complete()
	return nil
}

// End runs signal end events: they broadcast like throw events and end
// their token.
type End struct{ Throw }

// Validate requires a signal with a name and no outgoing flows.
func (End) Validate(el *model.Element) []element.Problem {
	out := requireSignal(el)
	if len(el.Outgoing) > 0 {
		out = append(out, element.Problem{Msg: "an end event must not have outgoing sequence flows"})
	}
	return out
}

// Complete takes no flow: the token ends here.
func (End) Complete(element.CompleteContext) error { return nil }

// Start runs signal start events.
type Start struct{ element.PassThrough }

// Validate requires a signal with a static name: the subscription opens at
// deployment, when there are no variables.
func (Start) Validate(el *model.Element) []element.Problem {
	if p := requireSignal(el); p != nil || element.InEventSubprocess(el) {
		return p
	}
	if !el.Signal.Name.IsStatic() {
		return []element.Problem{{Attribute: "signal name", Msg: "the signal of a start event must have a static name"}}
	}
	return nil
}

func requireSignal(el *model.Element) []element.Problem {
	if el.Signal == nil {
		return []element.Problem{{Attribute: "signalRef", Msg: "a signal is required"}}
	}
	if el.Signal.Name == nil || (el.Signal.Name.IsStatic() && el.Signal.Name.Source() == "") {
		return []element.Problem{{Attribute: "signal name", Msg: "the signal '" + el.Signal.ID + "' must have a name"}}
	}
	return nil
}

// RefuseActivation implements element.ActivationRefuser.
func (Catch) RefuseActivation(el *model.Element) string { return element.EventGatewayRefusal(el) }

// RefuseActivation implements element.ActivationRefuser.
func (Boundary) RefuseActivation(el *model.Element) string { return element.BoundaryEventRefusal(el) }

// Attach implements element.Attacher for the start event of an event
// subprocess: its subscription belongs to the enclosing scope's instance.
func (Start) Attach(ctx element.WaitContext, start *model.Element) error {
	return element.OpenSignalSubscription(ctx, start, start.CancelActivity)
}

// Open implements element.Opener: while its process version is the latest,
// each broadcast of the signal starts an instance at the event.
func (Start) Open(ctx element.OpenContext, start *model.Element) error {
	if start.Signal == nil || start.Signal.Name == nil {
		return fmt.Errorf("start event '%s' has no signal", start.ID)
	}
	name, err := ctx.Eval(start.Signal.Name)
	n, ok := name.(string)
	if err != nil || !ok || n == "" {
		return fmt.Errorf("signal name of start event '%s' must be a static string", start.ID)
	}
	ctx.StartOnSignal(start, n)
	return nil
}

// RefuseActivation implements element.ActivationRefuser.
func (Start) RefuseActivation(el *model.Element) string { return element.StartEventRefusal(el) }

// Interface guards
var (
	_ element.Handler           = Catch{}
	_ element.Waiter            = Catch{}
	_ element.Subscriber        = Catch{}
	_ element.ActivationRefuser = Catch{}
	_ element.Handler           = Boundary{}
	_ element.Attacher          = Boundary{}
	_ element.ActivationRefuser = Boundary{}
	_ element.Handler           = Throw{}
	_ element.Handler           = End{}
	_ element.Handler           = Start{}
	_ element.Opener            = Start{}
	_ element.Attacher          = Start{}
	_ element.ActivationRefuser = Start{}
)
