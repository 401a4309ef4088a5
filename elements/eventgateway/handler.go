package eventgateway

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs event-based gateways.
type Handler struct{ element.PassThrough }

// Validate requires two or more outgoing flows, each to a timer, message or
// signal intermediate catch event or a receive task, and no conditions.
func (Handler) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	if len(el.Outgoing) < 2 {
		out = append(out, element.Problem{Msg: "an event-based gateway must have at least two outgoing sequence flows"})
	}
	for _, f := range el.Outgoing {
		if f.Condition != nil {
			out = append(out, element.Problem{Msg: "sequence flow '" + f.ID + "' leaves an event-based gateway and must not have a condition"})
		}
		if f.Target == nil {
			continue
		}
		switch f.Target.Kind {
		case model.KindTimerIntermediateCatchEvent, model.KindMessageIntermediateCatchEvent, model.KindSignalIntermediateCatchEvent, model.KindReceiveTask:
		default:
			out = append(out, element.Problem{Msg: "sequence flow '" + f.ID + "' must lead to a timer, message or signal catch event or a receive task, but '" + f.Target.ID + "' is a " + string(f.Target.Kind)})
		}
	}
	return out
}

// Activate waits for every event after the gateway.
func (Handler) Activate(ctx element.ActivateContext) error {
	for _, f := range ctx.Element().Outgoing {
		t := f.Target
		var err error
		switch t.Kind {
		case model.KindTimerIntermediateCatchEvent:
			err = element.ScheduleTimer(ctx, t)
		case model.KindSignalIntermediateCatchEvent:
			err = element.OpenSignalSubscription(ctx, t, true)
		default:
			err = element.OpenMessageSubscription(ctx, t, true)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Complete takes the flow to the event that happened first.
func (Handler) Complete(ctx element.CompleteContext) error {
	won := ctx.TriggeredEvent()
	for _, f := range ctx.Element().Outgoing {
		if f.Target == won {
			ctx.Take(f)
		}
	}
	return nil
}

// EventHappened implements element.EventOwner: the first event after the
// gateway that happens completes it and is entered already triggered.
func (Handler) EventHappened(ctx element.EventContext, event *model.Element) {
	ctx.HandOver(event)
}

// Interface guards
var (
	_ element.Handler    = Handler{}
	_ element.EventOwner = Handler{}
)
