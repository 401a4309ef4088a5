package element

import (
	"fmt"

	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/schedule"
)

// Deploy-time checks of constant expressions (expr.Expression.IsConstant):
// what a deployment can evaluate once and for all, it checks, as Camunda
// does; everything else is checked when it runs, where a failure is an
// incident.

// CheckCondition checks a sequence flow's condition when it is constant:
// it must evaluate, to a boolean or null. nil when it does or is not
// constant.
func CheckCondition(f *model.SequenceFlow) *Problem {
	if f.Condition == nil || !f.Condition.IsConstant() {
		return nil
	}
	v, err := f.Condition.Eval(expr.Env{})
	if err != nil {
		return &Problem{Attribute: "conditionExpression", Msg: fmt.Sprintf("'%s' cannot be evaluated: %v", f.Condition.Source(), err)}
	}
	switch v.(type) {
	case bool, nil:
		return nil
	}
	return &Problem{Attribute: "conditionExpression", Msg: fmt.Sprintf("expected a boolean condition, but '%s' always gives %s", f.Condition.Source(), Describe(v))}
}

// CheckTimer checks a timer event's time value when it is constant: it
// must evaluate, and a string must parse as the date, duration or cycle
// its kind says (core/schedule's parsers, the ones that schedule it). A
// constant of another type is left to the run. nil when it passes or is
// not constant.
func CheckTimer(t *model.Timer) *Problem {
	if t == nil || t.Value == nil || !t.Value.IsConstant() {
		return nil
	}
	v, err := t.Value.Eval(expr.Env{})
	if err != nil {
		return &Problem{Attribute: string(t.Kind), Msg: fmt.Sprintf("'%s' cannot be evaluated: %v", t.Value.Source(), err)}
	}
	text, ok := v.(string)
	if !ok {
		return nil
	}
	switch t.Kind {
	case model.TimerDate:
		_, err = schedule.ParseDateTime(text)
	case model.TimerDuration:
		_, err = schedule.ParseDuration(text)
	case model.TimerCycle:
		_, err = schedule.ParseCycle(text)
	}
	if err != nil {
		return &Problem{Attribute: string(t.Kind), Msg: err.Error()}
	}
	return nil
}
