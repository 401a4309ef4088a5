package element

import (
	"fmt"
	"time"

	"github.com/example/wf-engine/core/expr"
	"github.com/example/wf-engine/core/model"
	"github.com/example/wf-engine/core/record"
)

// Handler runs one kind of BPMN element.
//
// The kernel owns the lifecycle: it writes the lifecycle events, applies
// input and output mappings, and on terminate cancels the element's jobs and
// resolves its incidents. A handler only decides what its element does.
type Handler interface {
	// Validate checks at deploy time that the element's configuration can
	// run. It returns every problem it finds; none means valid.
	Validate(el *model.Element) []Problem
	// Activate runs when a token enters the element, after its input mappings.
	// It creates jobs, or calls ctx.Complete() to pass straight through.
	Activate(ctx ActivateContext) error
	// Complete runs when the element completes, after its output mappings.
	// It chooses the outgoing sequence flows with ctx.Take.
	Complete(ctx CompleteContext) error
	// Terminate undoes what this element uniquely owns.
	Terminate(ctx Scope) error
}

// Container is a handler whose element holds child flow nodes.
type Container interface {
	// ChildCompleted runs in the container's context after one of its
	// children completed and its outgoing flows were taken.
	ChildCompleted(ctx ChildContext, child *model.Element) error
}

// Joiner is a handler whose element waits for tokens on several incoming
// sequence flows before it activates.
type Joiner interface {
	// Ready reports whether the tokens that wait at the element (by incoming
	// sequence flow id) are enough to activate it; active holds the elements
	// of the scope that still run and might send more tokens.
	Ready(el *model.Element, waiting map[string]int32, active []*model.Element) bool
}

// ScopeEnder is a handler some of whose elements end every other token of
// their flow scope when they complete (terminate end events): the kernel
// terminates the element's siblings and drops the tokens waiting at the
// scope's joins.
type ScopeEnder interface {
	EndsScope(el *model.Element) bool
}

// Catcher is the handler of a boundary event that catches what is thrown
// inside the activity it sits on (error boundary events). A thrown code
// goes from the element that threw it outward: the kernel asks the
// boundary events of each element instance on the way, an exact match
// before a catch-all, and the first that catches takes over.
type Catcher interface {
	Catches(eval func(*expr.Expression) (any, error), el *model.Element, t Thrown) Match
}

// Thrown is what an element throws for a catch event to catch.
type Thrown struct {
	Kind ThrowKind
	Code string
}

// ThrowKind says what was thrown.
type ThrowKind uint8

// What can be thrown. An uncaught error is an incident on the thrower; an
// uncaught escalation is not (the thrower goes on).
const (
	ThrowError      ThrowKind = 1
	ThrowEscalation ThrowKind = 2
)

// Match is how a catch event matches a thrown code.
type Match uint8

// Matches: a catch-all catches every code of its kind, an exact match only
// its own; an exact match wins over a catch-all.
const (
	NoMatch Match = iota
	MatchAll
	MatchExact
)

// EventOwner is a handler whose element instance waits on behalf of
// events that are neither its own nor its boundary events' (an event-based
// gateway waits for the events after it, a process or subprocess for the
// start events of its event subprocesses). When one of them happens the
// kernel asks it what follows; without this capability such an event is
// a boundary event of the element.
type EventOwner interface {
	EventHappened(ctx EventContext, event *model.Element)
}

// EventContext is what an EventOwner may do when an event happened.
type EventContext interface {
	// HandOver completes the element; when a flow it takes on completion
	// reaches event, event is entered already triggered, with the result
	// the event carried. Only the first hand-over of an element counts.
	HandOver(event *model.Element)
	// TriggerChild activates child, a child flow node of the element (an
	// event subprocess), starting at start, whose event has happened and
	// whose result start carries. An interrupting trigger first closes
	// the element's waits for such children and terminates every other
	// child; child is entered once the last of them has terminated.
	TriggerChild(child, start *model.Element, interrupting bool)
}

// EventScope is a container whose instances wait for events that start
// something inside them (the start events of its event subprocesses). The
// kernel lets each of them open its waits when the container activates,
// as it does for boundary events (Attacher), asks them first when
// something is thrown inside the container (Catcher), and asks the
// container what follows when one happens (EventOwner).
type EventScope interface {
	ScopeEvents(el *model.Element) []*model.Element
}

// Interrupter is a handler some of whose elements end every other token of
// their flow scope when they are entered (interrupting event
// subprocesses): the tokens waiting at the scope's joins are dropped.
type Interrupter interface {
	Interrupts(el *model.Element) bool
}

// Opener is the handler of a start event that waits while its process
// version is the one instances start in (timer and message start events):
// when a version is deployed, or becomes that version again, the kernel
// asks it what to open; when the version is replaced or deleted, the
// kernel closes everything that was opened for it. An error keeps the
// version from being deployed and says why.
type Opener interface {
	Open(ctx OpenContext, start *model.Element) error
}

// OpenContext is what an Opener may open. Expressions see no variables.
type OpenContext interface {
	Now() time.Time
	Eval(e *expr.Expression) (any, error)
	// StartTimer schedules a timer that starts an instance at its event.
	StartTimer(spec TimerSpec)
	// StartOnMessage opens a subscription that starts an instance at the
	// start event when a message of that name is published.
	StartOnMessage(start *model.Element, messageName string)
	// StartOnSignal opens a subscription that starts an instance at the
	// start event each time a signal of that name is broadcast.
	StartOnSignal(start *model.Element, signalName string)
}

// Starter is the handler of a process root: it names the start event a
// plain instance creation (the API's, a call activity's) starts at, or nil
// when the process cannot be started that way.
type Starter interface {
	PlainStart(root *model.Element) *model.Element
}

// Problem is one reason an element's configuration cannot run.
type Problem struct {
	Attribute string // may be empty
	Msg       string
}

// Failure is a business failure: the kernel turns it into an incident that
// a user can resolve. Any other error from a handler is a bug.
type Failure struct {
	Type    record.ErrorType
	Message string
}

func (f *Failure) Error() string { return fmt.Sprintf("%s: %s", f.Type, f.Message) }

// Failf returns a Failure of the given type.
func Failf(t record.ErrorType, format string, args ...any) *Failure {
	return &Failure{Type: t, Message: fmt.Sprintf(format, args...)}
}

// JobSpec describes a job to create for the current element.
type JobSpec struct {
	Type          string
	Retries       int32
	CustomHeaders map[string]string
}

// Attacher is a handler of boundary events: when the activity a boundary
// event sits on is activated, the kernel calls Attach in the activity's
// context so the event can create its timers or subscriptions.
type Attacher interface {
	Attach(ctx WaitContext, boundary *model.Element) error
}

// TimerSpec describes a timer to create for an element: the element itself
// (catch events) or one of its boundary events.
type TimerSpec struct {
	Element *model.Element // the event the timer triggers
	Due     time.Time
	// Cycle is the evaluated cycle definition for repeating timers and
	// Repetitions the firings left including this one (-1 infinite).
	Cycle       string
	Repetitions int32
}

// UserTaskSpec describes a Camunda user task to create.
type UserTaskSpec struct {
	Assignee              string
	CandidateGroups       []string
	CandidateUsers        []string
	DueDate, FollowUpDate string // ISO 8601 date-times, or ""
	FormKey, FormID       string
	ExternalFormReference string
	Priority              int32
	CustomHeaders         map[string]string
}

// CallSpec describes the process instance a call activity starts.
type CallSpec struct {
	BPMNProcessID string
	// BindingType is "latest" (default), "deployment" (the version deployed
	// with the caller) or "versionTag" (with VersionTag).
	BindingType string
	VersionTag  string
	// PropagateAllParentVariables copies every variable visible at the call
	// activity into the child; otherwise only the call activity's locals.
	PropagateAllParentVariables bool
	// PropagateAllChildVariables returns the child's variables on completion
	// (when there are no output mappings).
	PropagateAllChildVariables bool
}

// SubscriptionSpec describes a subscription to open: a message
// subscription (Kind SubscriptionMessage, the zero value) or a signal
// subscription (SubscriptionSignal, which has no correlation key).
type SubscriptionSpec struct {
	Kind           SubscriptionKind
	Element        *model.Element // the event the message or signal triggers
	Name           string
	CorrelationKey string
	Interrupting   bool
}

// SubscriptionKind says what a subscription waits for.
type SubscriptionKind uint8

// Subscription kinds.
const (
	SubscriptionMessage SubscriptionKind = 0
	SubscriptionSignal  SubscriptionKind = 1
)
