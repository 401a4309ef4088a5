package exclusivegateway

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs exclusive gateways.
type Handler struct{ element.PassThrough }

// Validate requires a condition on every non-default flow when the gateway forks.
func (Handler) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	if len(el.Outgoing) < 2 {
		return nil
	}
	for _, f := range el.Outgoing {
		if f.Condition == nil && !f.IsDefault {
			out = append(out, element.Problem{Msg: "sequence flow '" + f.ID + "' must have a condition or be the default flow"})
		}
	}
	return out
}

// Complete takes the first flow whose condition holds, else the default flow.
func (Handler) Complete(ctx element.CompleteContext) error {
	el := ctx.Element()
	for _, f := range el.Outgoing {
		if f.IsDefault {
			continue
		}
		if f.Condition == nil {
			ctx.Take(f) // the single unconditional flow of a merging gateway
			return nil
		}
		ok, err := ctx.EvalBool(f.Condition)
		if err != nil {
			return element.Failf(record.ErrorCondition, "evaluate condition of sequence flow '%s': %v", f.ID, err)
		}
		if ok {
			ctx.Take(f)
			return nil
		}
	}
	if el.Default != nil {
		ctx.Take(el.Default)
		return nil
	}
	if len(el.Outgoing) == 0 {
		return nil
	}
	return element.Failf(record.ErrorCondition, "expected at least one condition to evaluate to true, or to have a default flow, but no outgoing sequence flow of '%s' was taken", el.ID)
}

// Interface guards
var _ element.Handler = Handler{}
