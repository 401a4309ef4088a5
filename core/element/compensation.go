package element

import "github.com/example/wf-engine/core/model"

// Compensations is what a compensation throw or end event asks of the
// kernel. The kernel's ActivateContext implements it; a handler finds it
// with a type assertion.
type Compensations interface {
	// Compensate triggers the compensation handlers of the activities of
	// the element's flow scope that completed (and, for a completed
	// subprocess, of the activities that completed inside it), most recent
	// completion first; activityRef "" compensates every one of them, else
	// only the activity of that id. The element waits: the kernel
	// completes it once every handler it triggered completed, at once when
	// there was nothing to compensate. enclosing also compensates the
	// activities of the flow scope's own flow scope (a compensation event
	// in an event subprocess compensates the scope the event subprocess
	// runs in, as in Zeebe).
	Compensate(activityRef string, enclosing bool)
}

// CompensationBoundary is the handler of a compensation boundary event:
// when the activity it sits on completes, the kernel remembers it
// (COMPENSATION_SUBSCRIPTION CREATED) so that a compensation throw or end
// event can later run the handler the event names.
type CompensationBoundary interface {
	// CompensationHandler returns the activity that compensates the
	// activity the boundary event sits on.
	CompensationHandler(boundary *model.Element) *model.Element
}
