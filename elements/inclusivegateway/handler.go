package inclusivegateway

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs inclusive gateways.
type Handler struct{ element.PassThrough }

// Complete takes every flow whose condition holds, else the default flow.
func (Handler) Complete(ctx element.CompleteContext) error {
	el := ctx.Element()
	taken := false
	for _, f := range el.Outgoing {
		if f.IsDefault {
			continue
		}
		ok := true
		if f.Condition != nil {
			var err error
			if ok, err = ctx.EvalBool(f.Condition); err != nil {
				return element.Failf(record.ErrorCondition, "evaluate condition of sequence flow '%s': %v", f.ID, err)
			}
		}
		if ok {
			ctx.Take(f)
			taken = true
		}
	}
	switch {
	case taken:
	case el.Default != nil:
		ctx.Take(el.Default)
	case len(el.Outgoing) > 0:
		return element.Failf(record.ErrorCondition, "expected at least one condition to evaluate to true, or to have a default flow, but no outgoing sequence flow of '%s' was taken", el.ID)
	}
	return nil
}

// Ready reports whether no token can still arrive on an incoming flow that
// has none waiting: no running element of the scope can reach it.
func (Handler) Ready(el *model.Element, waiting map[string]int32, active []*model.Element) bool {
	any := false
	for _, f := range el.Incoming {
		if waiting[f.ID] > 0 {
			any = true
		}
	}
	if !any {
		return false
	}
	for _, a := range active {
		if a != el && reaches(a, el) {
			return false
		}
	}
	return true
}

// reaches reports whether a token at from can arrive at the gateway on a
// path that does not pass through the gateway itself.
func reaches(from, gateway *model.Element) bool {
	seen := map[*model.Element]bool{from: true}
	queue := []*model.Element{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		next := n.Outgoing
		for _, b := range n.Boundaries {
			next = append(next[:len(next):len(next)], b.Outgoing...)
		}
		for _, f := range next {
			if f.Target == gateway {
				return true
			}
			if !seen[f.Target] {
				seen[f.Target] = true
				queue = append(queue, f.Target)
			}
		}
	}
	return false
}

// Interface guards
var (
	_ element.Handler = Handler{}
	_ element.Joiner  = Handler{}
)
