package element

import "github.com/example/wf-engine/core/model"

// Waiter is a handler whose element instances wait for events themselves:
// intermediate catch events and receive tasks wait for their own event,
// event-based gateways for the events after them. A process instance
// migration asks it which catch events an instance waits on, to carry
// over, close or open their timers and subscriptions; a boundary event's
// owner is found through the activity's boundaries instead.
type Waiter interface {
	// CatchEvents returns the catch events an instance of el waits on.
	CatchEvents(el *model.Element) []*model.Element
}

// Subscriber is the handler of a catch event that element instances wait
// on (see Waiter): a migration asks it to create the event's timer or open
// its subscription for an instance that waits on it after the migration
// but did not before. Boundary events do the same through Attacher.
type Subscriber interface {
	Subscribe(ctx WaitContext, event *model.Element) error
}
