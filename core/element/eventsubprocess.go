package element

import "github.com/example/wf-engine/core/model"

// EventSubprocesses gives a container (process, subprocess, event
// subprocess) what its event subprocesses need: it waits for their start
// events (EventScope) and starts the one whose event happened, after
// terminating everything else in it when that start interrupts
// (EventOwner). Embed it in the container's handler.
type EventSubprocesses struct{}

// ScopeEvents implements EventScope.
func (EventSubprocesses) ScopeEvents(el *model.Element) []*model.Element {
	return EventSubprocessStarts(el)
}

// EventHappened implements EventOwner.
func (EventSubprocesses) EventHappened(ctx EventContext, event *model.Element) {
	if InEventSubprocess(event) {
		ctx.TriggerChild(event.Parent, event, event.CancelActivity)
	}
}

// EventSubprocessStarts returns the start events of the event subprocesses
// directly inside a container: what its instances wait for (EventScope).
func EventSubprocessStarts(container *model.Element) []*model.Element {
	var out []*model.Element
	for _, c := range container.Children {
		if c.Kind != model.KindEventSubProcess {
			continue
		}
		for _, s := range c.Children {
			if s.Type == "startEvent" {
				out = append(out, s)
			}
		}
	}
	return out
}

// InEventSubprocess reports whether el sits directly in an event subprocess.
func InEventSubprocess(el *model.Element) bool {
	return el.Parent != nil && el.Parent.Kind == model.KindEventSubProcess
}

// EventSubprocessStartRefusal is the answer of start event handlers inside
// an event subprocess to a modification: only the event starts it.
func EventSubprocessStartRefusal(el *model.Element) string {
	return "it is the start event of the event subprocess '" + el.Parent.ID + "': activate an element after it"
}

// Interface guards
var (
	_ EventScope = EventSubprocesses{}
	_ EventOwner = EventSubprocesses{}
)
