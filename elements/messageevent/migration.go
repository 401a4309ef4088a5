package messageevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// CatchEvents implements element.Waiter: a message catch event or a
// receive task waits for its own message.
func (Catch) CatchEvents(el *model.Element) []*model.Element { return []*model.Element{el} }

// Subscribe implements element.Subscriber: it opens the event's message
// subscription.
func (Catch) Subscribe(ctx element.WaitContext, event *model.Element) error {
	return element.OpenMessageSubscription(ctx, event, true)
}

// Interface guards
var (
	_ element.Waiter     = Catch{}
	_ element.Subscriber = Catch{}
)
