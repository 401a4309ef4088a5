package eventgateway

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// CatchEvents implements element.Waiter: an event-based gateway waits for
// the events after it.
func (Handler) CatchEvents(el *model.Element) []*model.Element {
	out := make([]*model.Element, 0, len(el.Outgoing))
	for _, f := range el.Outgoing {
		if f.Target != nil {
			out = append(out, f.Target)
		}
	}
	return out
}

// Interface guards
var _ element.Waiter = Handler{}
