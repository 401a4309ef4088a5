package element

import "github.com/example/wf-engine/core/model"

// ActivationRefuser is a handler some of whose elements cannot be activated
// without the event or the start that normally enters them. A process
// instance modification asks it before it activates one of its elements;
// handlers without it accept every activation.
type ActivationRefuser interface {
	// RefuseActivation returns why el cannot be activated by a process
	// instance modification, or "" when it can.
	RefuseActivation(el *model.Element) string
}

// StartEventRefusal is the answer of start event handlers: a start event is
// entered only when its process or subprocess starts.
func StartEventRefusal(el *model.Element) string {
	if InEventSubprocess(el) {
		return EventSubprocessStartRefusal(el)
	}
	return "it is a start event: activate the element after it, or its subprocess"
}

// BoundaryEventRefusal is the answer of boundary event handlers: a boundary
// event is entered only when its event happens on the activity it sits on.
func BoundaryEventRefusal(el *model.Element) string {
	if el.AttachedTo != nil {
		return "it is a boundary event of '" + el.AttachedTo.ID + "': activate the element after it instead"
	}
	return "it is a boundary event: activate the element after it instead"
}

// EventGatewayRefusal is the answer of catch event handlers: an event after
// an event-based gateway is entered only by the gateway, which waits for
// all of its events together.
func EventGatewayRefusal(el *model.Element) string {
	for _, f := range el.Incoming {
		if f.Source != nil && f.Source.Kind == model.KindEventBasedGateway {
			return "it follows the event-based gateway '" + f.Source.ID + "': activate the gateway instead"
		}
	}
	return ""
}

// ChildActivator is a container whose instances let a caller activate
// some of their children while they run (an ad-hoc subprocess's inner
// elements, Camunda's activateAdHocSubProcessActivities). The kernel's
// child activation command asks it before it activates anything; a
// container without it refuses every such activation.
type ChildActivator interface {
	// RefuseChildActivation returns why child, a child flow node of el,
	// cannot be activated in a running instance of el, or "" when it can.
	RefuseChildActivation(el, child *model.Element) string
}
