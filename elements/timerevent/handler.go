package timerevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Catch runs intermediate timer catch events.
type Catch struct{ element.PassThrough }

// Validate accepts a date or a duration.
func (Catch) Validate(el *model.Element) []element.Problem {
	return requireKinds(el, model.TimerDate, model.TimerDuration)
}

// Activate schedules the timer; the kernel completes the event when it fires.
func (Catch) Activate(ctx element.ActivateContext) error {
	return element.ScheduleTimer(ctx, ctx.Element())
}

// Boundary runs timer boundary events.
type Boundary struct{ element.PassThrough }

// Validate accepts a date or a duration, and a cycle when non-interrupting.
func (Boundary) Validate(el *model.Element) []element.Problem {
	if el.CancelActivity {
		return requireKinds(el, model.TimerDate, model.TimerDuration)
	}
	return requireKinds(el, model.TimerDate, model.TimerDuration, model.TimerCycle)
}

// Attach schedules the boundary's timer when its activity is activated.
func (Boundary) Attach(ctx element.WaitContext, b *model.Element) error {
	return element.ScheduleTimer(ctx, b)
}

// Start runs timer start events; the kernel creates their timers at deployment.
type Start struct{ element.PassThrough }

// Validate accepts a date or a cycle.
func (Start) Validate(el *model.Element) []element.Problem {
	if element.InEventSubprocess(el) {
		if el.Timer != nil && el.Timer.Kind == model.TimerCycle && el.CancelActivity {
			return []element.Problem{{Attribute: "timeCycle", Msg: "an interrupting timer start event of an event subprocess must not have a cycle: use a date or a duration"}}
		}
		return requireKinds(el, model.TimerDate, model.TimerDuration, model.TimerCycle)
	}
	return requireKinds(el, model.TimerDate, model.TimerCycle)
}

// Attach implements element.Attacher for the start event of an event
// subprocess: its timer belongs to the enclosing scope's instance.
func (Start) Attach(ctx element.WaitContext, start *model.Element) error {
	return element.ScheduleTimer(ctx, start)
}

func requireKinds(el *model.Element, kinds ...model.TimerKind) []element.Problem {
	if el.Timer == nil || el.Timer.Value == nil {
		return []element.Problem{{Attribute: "timerEventDefinition", Msg: "a timer definition is required"}}
	}
	for _, k := range kinds {
		if el.Timer.Kind == k {
			if p := element.CheckTimer(el.Timer); p != nil {
				return []element.Problem{*p}
			}
			return nil
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return []element.Problem{{Attribute: string(el.Timer.Kind), Msg: "this event accepts only " + join(names)}}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		switch {
		case i == 0:
		case i == len(s)-1:
			out += " or "
		default:
			out += ", "
		}
		out += x
	}
	return out
}

// RefuseActivation implements element.ActivationRefuser.
func (Catch) RefuseActivation(el *model.Element) string { return element.EventGatewayRefusal(el) }

// RefuseActivation implements element.ActivationRefuser.
func (Boundary) RefuseActivation(el *model.Element) string { return element.BoundaryEventRefusal(el) }

// Open implements element.Opener: the timer that starts an instance.
func (Start) Open(ctx element.OpenContext, start *model.Element) error {
	spec, err := element.TimerOf(ctx.Eval, start, ctx.Now())
	if err != nil {
		return err
	}
	ctx.StartTimer(spec)
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
