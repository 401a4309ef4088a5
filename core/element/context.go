package element

import (
	"time"

	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
)

// What a handler sees of the kernel while it handles one element instance
// is split by behaviour, and each step of the lifecycle gets the
// behaviours that make sense in it: Activate may start work, wait and
// throw; Complete only chooses the outgoing flows; Terminate only reads.
// The methods never block and never do I/O: the kernel records what a
// handler asks for and carries it out after the handler returned.

// Scope is what every step sees: the element and its variable scope.
type Scope interface {
	// Now is the timestamp of the command being processed.
	Now() time.Time
	// Element is the model element being handled.
	Element() *model.Element
	// Eval evaluates an expression in the element instance's variable scope.
	Eval(e *expr.Expression) (any, error)
	// EvalBool evaluates a condition: null is false, a non-boolean is an error.
	EvalBool(e *expr.Expression) (bool, error)
}

// Waits are the timers and subscriptions an element instance owns: for
// its own catch, its boundary events, or the events it waits for on their
// behalf (element.EventOwner). They close when the instance ends.
type Waits interface {
	// CreateTimer schedules a timer owned by this element instance.
	CreateTimer(spec TimerSpec)
	// OpenSubscription opens a message or signal subscription owned by
	// this element instance.
	OpenSubscription(spec SubscriptionSpec)
}

// Work is what an activity hands out to be done; the work's end completes
// the element.
type Work interface {
	// CreateJob creates a job for this element once it is activated.
	CreateJob(spec JobSpec)
	// CreateUserTask creates a Camunda user task for this element once it
	// is activated; completing the task completes the element.
	CreateUserTask(spec UserTaskSpec)
	// CallProcess starts an instance of another process as this element's
	// child (call activities); its end completes the element.
	CallProcess(spec CallSpec)
	// SetResult sets the element's result (like a job's variables): applied
	// when the element completes, local to it when it has output mappings,
	// else merged outward.
	SetResult(vars map[string]any)
}

// Children is how a container moves tokens: it starts child flow nodes
// and completes once it decides its children are done.
type Children interface {
	// ActivateChild starts a child flow node of a container element.
	ActivateChild(child *model.Element)
	// ActiveChildren counts the container's children that have not ended,
	// and tokens waiting at its joins.
	ActiveChildren() int
	// Complete asks the kernel to complete the element.
	Complete()
}

// Throws is what an element sends beyond itself.
type Throws interface {
	// ThrowError throws a BPMN error from this element: the nearest
	// matching catch event takes over, or an incident is raised.
	ThrowError(code string)
	// ThrowEscalation throws an escalation from this element: the nearest
	// matching catch event, from the element outward through its scopes
	// and calling activities, is triggered. The element goes on (completes
	// when it asks to) unless the catch event interrupts a scope it is in;
	// an uncaught escalation is no incident.
	ThrowEscalation(code string)
	// BroadcastSignal broadcasts a signal of the given name once the
	// element is activated, carrying the element instance's local
	// variables (those its input mappings created), in its tenant.
	BroadcastSignal(name string)
}

// ActivateContext is what Handler.Activate may do.
type ActivateContext interface {
	Scope
	Waits
	Work
	Children
	Throws
	// TriggeredStart is, for a process root, the start event the instance
	// was started at (a timer or message start event), or nil for a plain
	// start (element.Starter).
	TriggeredStart() *model.Element
}

// CompleteContext is what Handler.Complete may do: choose the flows the
// token leaves by.
type CompleteContext interface {
	Scope
	// Take takes an outgoing sequence flow when the element completes.
	Take(f *model.SequenceFlow)
	// ActivateInScope activates target, an element of the same flow scope,
	// once the element completed, without a sequence flow (a link throw
	// event activates its catch event).
	ActivateInScope(target *model.Element)
	// TriggeredEvent is, for an element.EventOwner completing, the event
	// it handed over.
	TriggeredEvent() *model.Element
}

// ChildContext is what Container.ChildCompleted may do.
type ChildContext interface {
	Scope
	Children
}

// WaitContext is what Attacher.Attach and Subscriber.Subscribe may do:
// open the waits of an event for the element instance that owns them.
type WaitContext interface {
	Scope
	Waits
}
