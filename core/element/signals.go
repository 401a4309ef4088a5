package element

import (
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// SignalName evaluates the name of event's signal in ctx's scope: a static
// name as it is, a FEEL expression with the element's variables.
func SignalName(ctx Scope, event *model.Element) (string, error) {
	s := event.Signal
	if s == nil || s.Name == nil {
		return "", Failf(record.ErrorExtractValue, "event '%s' has no signal", event.ID)
	}
	v, err := ctx.Eval(s.Name)
	if err != nil {
		return "", Failf(record.ErrorExtractValue, "evaluate signal name of '%s': %v", event.ID, err)
	}
	n, ok := v.(string)
	if !ok || n == "" {
		return "", Failf(record.ErrorExtractValue, "signal name of '%s' must be a non-empty string, but it is %s", event.ID, Describe(v))
	}
	return n, nil
}

// OpenSignalSubscription evaluates the signal name of event and asks ctx to
// open a signal subscription for it.
func OpenSignalSubscription(ctx WaitContext, event *model.Element, interrupting bool) error {
	name, err := SignalName(ctx, event)
	if err != nil {
		return err
	}
	ctx.OpenSubscription(SubscriptionSpec{Kind: SubscriptionSignal, Element: event, Name: name, Interrupting: interrupting})
	return nil
}
