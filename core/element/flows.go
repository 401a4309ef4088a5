package element

import (
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// TakeOutgoing takes the outgoing flows of an element that passes its token
// on, as BPMN does for activities and events: every unconditional flow and
// every conditional flow whose condition is true; the default flow when no
// conditional flow's condition is true.
func TakeOutgoing(ctx CompleteContext) error {
	el := ctx.Element()
	var conditional, taken, condTaken bool
	for _, f := range el.Outgoing {
		if f.IsDefault {
			continue
		}
		if f.Condition == nil {
			ctx.Take(f)
			taken = true
			continue
		}
		conditional = true
		ok, err := ctx.EvalBool(f.Condition)
		if err != nil {
			return Failf(record.ErrorCondition, "evaluate condition of sequence flow '%s': %v", f.ID, err)
		}
		if ok {
			ctx.Take(f)
			taken, condTaken = true, true
		}
	}
	if !condTaken && el.Default != nil {
		ctx.Take(el.Default)
		return nil
	}
	if conditional && !taken {
		return Failf(record.ErrorCondition, "no outgoing sequence flow of '%s' has a true condition and there is no default flow", el.ID)
	}
	return nil
}

// SingleStartEvent finds the none start event of a container, or nil.
func SingleStartEvent(container *model.Element) *model.Element {
	for _, c := range container.Children {
		if c.Kind == model.KindStartEvent {
			return c
		}
	}
	return nil
}
