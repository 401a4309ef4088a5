package messageevent

import (
	"fmt"

	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Catch runs intermediate message catch events and receive tasks.
type Catch struct{ element.PassThrough }

// Validate requires a message with a name and a correlation key.
func (Catch) Validate(el *model.Element) []element.Problem { return requireMessage(el, true) }

// Activate opens the subscription; the kernel completes the element when a
// message arrives.
func (Catch) Activate(ctx element.ActivateContext) error {
	return element.OpenMessageSubscription(ctx, ctx.Element(), true)
}

// Boundary runs message boundary events.
type Boundary struct{ element.PassThrough }

// Validate requires a message with a name and a correlation key.
func (Boundary) Validate(el *model.Element) []element.Problem { return requireMessage(el, true) }

// Attach opens the boundary's subscription when its activity is activated.
func (Boundary) Attach(ctx element.WaitContext, b *model.Element) error {
	return element.OpenMessageSubscription(ctx, b, b.CancelActivity)
}

// Start runs message start events.
type Start struct{ element.PassThrough }

// Validate requires a message with a static name.
func (Start) Validate(el *model.Element) []element.Problem {
	if element.InEventSubprocess(el) {
		return requireMessage(el, true)
	}
	if p := requireMessage(el, false); p != nil {
		return p
	}
	if !el.Message.Name.IsStatic() {
		return []element.Problem{{Attribute: "message name", Msg: "the message of a start event must have a static name"}}
	}
	return nil
}

func requireMessage(el *model.Element, needKey bool) []element.Problem {
	if el.Message == nil {
		return []element.Problem{{Attribute: "messageRef", Msg: "a message is required"}}
	}
	if el.Message.Name == nil || (el.Message.Name.IsStatic() && el.Message.Name.Source() == "") {
		return []element.Problem{{Attribute: "message name", Msg: "the message '" + el.Message.ID + "' must have a name"}}
	}
	if needKey && el.Message.CorrelationKey == nil {
		return []element.Problem{{Attribute: "zeebe:subscription correlationKey", Msg: "the message '" + el.Message.ID + "' must have a correlation key"}}
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
	return element.OpenMessageSubscription(ctx, start, start.CancelActivity)
}

// Open implements element.Opener: the subscription that starts an
// instance when a message of the start event's (static) name arrives.
func (Start) Open(ctx element.OpenContext, start *model.Element) error {
	name, err := ctx.Eval(start.Message.Name)
	n, ok := name.(string)
	if err != nil || !ok || n == "" {
		return fmt.Errorf("message name of start event '%s' must be a static string", start.ID)
	}
	ctx.StartOnMessage(start, n)
	return nil
}

// RefuseActivation implements element.ActivationRefuser.
func (Start) RefuseActivation(el *model.Element) string { return element.StartEventRefusal(el) }

// Interface guards
var (
	_ element.Handler           = Catch{}
	_ element.Handler           = Boundary{}
	_ element.Attacher          = Boundary{}
	_ element.Handler           = Start{}
	_ element.Opener            = Start{}
	_ element.Attacher          = Start{}
	_ element.ActivationRefuser = Catch{}
	_ element.ActivationRefuser = Boundary{}
	_ element.ActivationRefuser = Start{}
)
