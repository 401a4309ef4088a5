package scripttask

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/elements/servicetask"
)

// Handler runs script tasks.
type Handler struct{ servicetask.Handler }

// Validate requires a zeebe:script with a result variable, or a job type.
func (h Handler) Validate(el *model.Element) []element.Problem {
	if el.Script == nil {
		return h.Handler.Validate(el)
	}
	var out []element.Problem
	if el.Script.Expression == nil {
		out = append(out, element.Problem{Attribute: "zeebe:script expression", Msg: "an expression is required"})
	}
	if el.Script.ResultVariable == "" {
		out = append(out, element.Problem{Attribute: "zeebe:script resultVariable", Msg: "a result variable is required"})
	}
	return out
}

// Activate evaluates the script, or creates the job.
func (h Handler) Activate(ctx element.ActivateContext) error {
	el := ctx.Element()
	if el.Script == nil {
		return h.Handler.Activate(ctx)
	}
	v, err := ctx.Eval(el.Script.Expression)
	if err != nil {
		return element.Failf(record.ErrorExtractValue, "evaluate the script of '%s': %v", el.ID, err)
	}
	ctx.SetResult(map[string]any{el.Script.ResultVariable: v})
	ctx.Complete()
	return nil
}

// Interface guards
var _ element.Handler = Handler{}
