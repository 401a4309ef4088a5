package parallelgateway

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// Handler runs parallel gateways.
type Handler struct{ element.PassThrough }

// Validate rejects conditions on outgoing flows: a parallel gateway takes them all.
func (Handler) Validate(el *model.Element) []element.Problem {
	var out []element.Problem
	for _, f := range el.Outgoing {
		if f.Condition != nil {
			out = append(out, element.Problem{Msg: "sequence flow '" + f.ID + "' leaves a parallel gateway and must not have a condition"})
		}
	}
	return out
}

// Ready reports whether a token waits on every incoming flow.
func (Handler) Ready(el *model.Element, waiting map[string]int32, _ []*model.Element) bool {
	for _, f := range el.Incoming {
		if waiting[f.ID] < 1 {
			return false
		}
	}
	return true
}

// Complete takes every outgoing flow.
func (Handler) Complete(ctx element.CompleteContext) error {
	for _, f := range ctx.Element().Outgoing {
		ctx.Take(f)
	}
	return nil
}

// Interface guards
var (
	_ element.Handler = Handler{}
	_ element.Joiner  = Handler{}
)
