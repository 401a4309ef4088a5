package element

import (
	"fmt"
	"time"

	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/schedule"
)

// ScheduleTimer evaluates the timer definition of event (a catch, boundary
// or start event) and asks ctx to create its timer.
func ScheduleTimer(ctx WaitContext, event *model.Element) error {
	spec, err := TimerOf(ctx.Eval, event, ctx.Now())
	if err != nil {
		return err
	}
	ctx.CreateTimer(spec)
	return nil
}

// TimerOf evaluates an event's timer definition at now with eval.
func TimerOf(eval func(*expr.Expression) (any, error), event *model.Element, now time.Time) (TimerSpec, error) {
	t := event.Timer
	if t == nil || t.Value == nil {
		return TimerSpec{}, Failf(record.ErrorExtractValue, "event '%s' has no timer definition", event.ID)
	}
	v, err := eval(t.Value)
	if err != nil {
		return TimerSpec{}, Failf(record.ErrorExtractValue, "evaluate %s of '%s': %v", t.Kind, event.ID, err)
	}
	text, ok := v.(string)
	if !ok {
		return TimerSpec{}, Failf(record.ErrorExtractValue, "%s of '%s' must be a string, but it is %s", t.Kind, event.ID, Describe(v))
	}
	spec := TimerSpec{Element: event}
	if t.Kind == model.TimerCycle {
		c, err := schedule.ParseCycle(text)
		if err != nil {
			return TimerSpec{}, Failf(record.ErrorExtractValue, "timeCycle of '%s': %v", event.ID, err)
		}
		if spec.Due, err = c.First(now); err != nil {
			return TimerSpec{}, Failf(record.ErrorExtractValue, "timeCycle of '%s': %v", event.ID, err)
		}
		spec.Cycle, spec.Repetitions = text, c.Repetitions()
		return spec, nil
	}
	if spec.Due, err = schedule.Due(string(t.Kind), text, now); err != nil {
		return TimerSpec{}, Failf(record.ErrorExtractValue, "%s of '%s': %v", t.Kind, event.ID, err)
	}
	return spec, nil
}

// OpenMessageSubscription evaluates the message name and correlation key of
// event and asks ctx to open a subscription.
func OpenMessageSubscription(ctx WaitContext, event *model.Element, interrupting bool) error {
	m := event.Message
	if m == nil || m.Name == nil {
		return Failf(record.ErrorExtractValue, "event '%s' has no message", event.ID)
	}
	name, err := ctx.Eval(m.Name)
	if err != nil {
		return Failf(record.ErrorExtractValue, "evaluate message name of '%s': %v", event.ID, err)
	}
	n, ok := name.(string)
	if !ok || n == "" {
		return Failf(record.ErrorExtractValue, "message name of '%s' must be a non-empty string, but it is %s", event.ID, Describe(name))
	}
	var key string
	if m.CorrelationKey != nil {
		v, err := ctx.Eval(m.CorrelationKey)
		if err != nil {
			return Failf(record.ErrorExtractValue, "evaluate correlation key of '%s': %v", event.ID, err)
		}
		if key, err = CorrelationKey(v); err != nil {
			return Failf(record.ErrorExtractValue, "correlation key of '%s': %v", event.ID, err)
		}
	}
	ctx.OpenSubscription(SubscriptionSpec{Element: event, Name: n, CorrelationKey: key, Interrupting: interrupting})
	return nil
}

// CorrelationKey turns an evaluated correlation key into its string form:
// strings as they are, whole numbers without a fraction.
func CorrelationKey(v any) (string, error) {
	switch k := v.(type) {
	case string:
		return k, nil
	case float64:
		if k == float64(int64(k)) {
			return fmt.Sprintf("%d", int64(k)), nil
		}
		return fmt.Sprintf("%v", k), nil
	case nil:
		return "", fmt.Errorf("it is null")
	}
	return "", fmt.Errorf("expected a string or a number, but found %T", v)
}

// Describe renders an evaluated value for an incident message.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprintf("%v", v)
}
