package timerevent

import (
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/model"
)

// CatchEvents implements element.Waiter: a timer catch event waits for
// itself.
func (Catch) CatchEvents(el *model.Element) []*model.Element { return []*model.Element{el} }

// Subscribe implements element.Subscriber: it schedules the event's timer.
func (Catch) Subscribe(ctx element.WaitContext, event *model.Element) error {
	return element.ScheduleTimer(ctx, event)
}

// Interface guards
var (
	_ element.Waiter     = Catch{}
	_ element.Subscriber = Catch{}
)
