package model

import "github.com/example/wf-engine/core/expr"

// Kind names what an element is for the registry: the BPMN local name, and for
// events with an event definition, a colon and the definition's kind
// ("startEvent", "startEvent:timer", "endEvent:terminate", "boundaryEvent:error").
// An event subprocess is "subProcess:event"; the process itself is "process".
type Kind string

// Kinds the parser produces for the elements and event definitions it knows.
const (
	KindProcess Kind = "process"
)

// Definitions is one parsed BPMN file.
type Definitions struct {
	ID        string
	Processes []*Process // document order
	Messages  map[string]*Message
	Errors    map[string]*Error
	Signals   map[string]*Signal
	// Escalations are the bpmn:escalation root elements by id.
	Escalations map[string]*Escalation
}

// Process is one bpmn:process.
type Process struct {
	ID         string
	Name       string
	Executable bool
	VersionTag string
	Line       int
	// Root is the process as a container element (Kind "process"); its
	// Children are the top-level flow nodes.
	Root *Element
	// Elements holds every flow node of the process by id, nested ones included
	// (the root is not in it).
	Elements map[string]*Element
	// Flows holds every sequence flow of the process by id, nested ones included.
	Flows map[string]*SequenceFlow
	// Forms holds the bodies (form JSON) of the zeebe:userTaskForm elements
	// of the process by id: the embedded forms that job-based user tasks
	// name in their formKey ("camunda-forms:bpmn:<id>").
	Forms map[string]string
}

// Element is a flow node (event, activity, gateway) or a container.
type Element struct {
	ID   string
	Name string
	// Type is the BPMN local name: "serviceTask", "startEvent", "subProcess", ...
	Type string
	Kind Kind
	Line int

	Parent   *Element   // the flow scope that contains it; nil for the process root
	Children []*Element // flow nodes directly inside a container, document order

	Incoming []*SequenceFlow // document order of the sequence flows
	Outgoing []*SequenceFlow // document order of the sequence flows
	Default  *SequenceFlow   // the `default` attribute of gateways and activities

	AttachedTo     *Element   // boundary events: the activity they sit on
	Boundaries     []*Element // activities: their boundary events, document order
	CancelActivity bool       // boundary events (cancelActivity) and event subprocess start events (isInterrupting): interrupting (default true)
	Instantiate    bool       // receive tasks and event-based gateways

	Task       *TaskDefinition // zeebe:taskDefinition
	Headers    []Header        // zeebe:taskHeaders, document order
	Inputs     []Mapping       // zeebe:ioMapping inputs, document order
	Outputs    []Mapping       // zeebe:ioMapping outputs, document order
	Properties []Property      // zeebe:properties

	Timer         *Timer         // timer event definition; nil when it has no time value
	Message       *Message       // message event definition, receive/send task messageRef
	Error         *Error         // error event definition (nil ref = catch-all)
	Signal        *Signal        // signal event definition
	Script        *Script        // zeebe:script
	CalledElement *CalledElement // zeebe:calledElement
	UserTask      *UserTask      // user task settings
	// Escalation is the escalation event definition's escalation (nil
	// ref = catch-all); Link is a link event's name ("" when it has none).
	Escalation *Escalation
	Link       string
	// Compensation is a compensation event's definition (nil on every
	// other element); ForCompensation marks a compensation handler
	// (isForCompensation="true"); Associated lists the targets of the
	// associations whose source is the element, document order (a
	// compensation boundary event's handler).
	Compensation    *Compensation
	ForCompensation bool
	Associated      []*Element
	// Loop is a multi-instance body's loop characteristics; nil on every
	// other element.
	Loop *Loop
	// AdHoc is an ad-hoc subprocess's configuration; nil on every other
	// element.
	AdHoc *AdHoc
	// StartForm is a start event's zeebe:formDefinition: the form Tasklist
	// shows to start an instance; nil when it has none.
	StartForm *FormDefinition
	// Unsupported lists features present on the element that the engine
	// does not run (for example "multiInstanceLoopCharacteristics",
	// "zeebe:calledDecision"); deployment rejects them by name.
	Unsupported []string
}

// IsContainer reports whether the element holds child flow nodes.
func (e *Element) IsContainer() bool {
	return e.Kind == KindProcess || e.Type == "subProcess" || e.Kind == KindAdHocSubProcess || e.Kind == KindMultiInstanceBody
}

// AdHoc is a bpmn:adHocSubProcess's configuration.
type AdHoc struct {
	// ActiveElements is zeebe:adHoc's activeElementsCollection: a list of
	// the ids of the inner elements to activate when the subprocess
	// activates; nil when absent.
	ActiveElements *expr.Expression
	// CompletionCondition is evaluated each time an inner element
	// completes; nil when absent.
	CompletionCondition *expr.Expression
	// CancelRemainingInstances terminates the inner element instances
	// still active when the completion condition holds (the default);
	// false lets them finish first.
	CancelRemainingInstances bool
}

// Wrapped returns the element that e wraps under the same id (the activity
// of a multi-instance body), or nil. Records of both carry the same element
// id; their element types tell them apart.
func (e *Element) Wrapped() *Element {
	if len(e.Children) == 1 && e.Children[0].ID == e.ID {
		return e.Children[0]
	}
	return nil
}

// Loop is bpmn:multiInstanceLoopCharacteristics with
// zeebe:loopCharacteristics. A body with an output collection has one
// output mapping, the collection onto itself: the body's local collection
// is merged into its flow scope when the body completes.
type Loop struct {
	Sequential          bool             // isSequential; parallel by default
	InputCollection     *expr.Expression // nil when absent
	InputElement        string           // "" when absent
	OutputCollection    string           // "" when absent
	OutputElement       *expr.Expression // nil when absent
	CompletionCondition *expr.Expression // nil when absent
}

// SequenceFlow connects two flow nodes of the same scope.
type SequenceFlow struct {
	ID        string
	Name      string
	Line      int
	Source    *Element
	Target    *Element
	Condition *expr.Expression // nil when unconditional
	IsDefault bool             // it is its source's default flow
}

// TaskDefinition is zeebe:taskDefinition.
type TaskDefinition struct {
	Type    *expr.Expression // static string or FEEL
	Retries *expr.Expression // static number or FEEL; "3" when absent
}

// Header is one zeebe:header.
type Header struct{ Key, Value string }

// Property is one zeebe:property.
type Property struct{ Name, Value string }

// Mapping is one zeebe:input or zeebe:output.
type Mapping struct {
	Source *expr.Expression // nil when empty: the target becomes null
	Target string           // a variable name or a dotted path
}

// TimerKind is which of the three timer definitions is set.
type TimerKind string

// Timer definitions.
const (
	TimerDate     TimerKind = "timeDate"
	TimerDuration TimerKind = "timeDuration"
	TimerCycle    TimerKind = "timeCycle"
)

// Timer is a timerEventDefinition.
type Timer struct {
	Kind  TimerKind
	Value *expr.Expression
}

// Message is a bpmn:message root element.
type Message struct {
	ID             string
	Line           int
	Name           *expr.Expression
	CorrelationKey *expr.Expression // zeebe:subscription correlationKey; nil when absent
}

// Error is a bpmn:error root element.
type Error struct {
	ID   string
	Line int
	Name string
	Code *expr.Expression // nil when the error has no errorCode
}

// Signal is a bpmn:signal root element.
type Signal struct {
	ID   string
	Line int
	Name *expr.Expression
}

// Compensation is a compensateEventDefinition.
type Compensation struct {
	// ActivityRef names the activity to compensate; "" compensates every
	// completed activity of the event's scope.
	ActivityRef string
}

// Escalation is a bpmn:escalation root element.
type Escalation struct {
	ID   string
	Line int
	Name string
	Code *expr.Expression // nil when the escalation has no escalationCode
}

// Script is zeebe:script.
type Script struct {
	Expression     *expr.Expression
	ResultVariable string
}

// CalledElement is zeebe:calledElement.
type CalledElement struct {
	ProcessID                   *expr.Expression
	PropagateAllChildVariables  bool   // default true
	PropagateAllParentVariables bool   // default true
	BindingType                 string // "latest" when absent
	VersionTag                  string
}

// FormDefinition is a start event's zeebe:formDefinition: an embedded form
// (FormKey "camunda-forms:bpmn:<userTaskForm id>") or a linked one (FormID
// with BindingType latest, deployment or versionTag).
type FormDefinition struct {
	FormKey, FormID         string
	BindingType, VersionTag string
}

// UserTask holds the settings of a bpmn:userTask.
type UserTask struct {
	Native            bool // zeebe:userTask present: a Camunda user task
	Assignee          *expr.Expression
	CandidateGroups   *expr.Expression
	CandidateUsers    *expr.Expression
	DueDate           *expr.Expression
	FollowUpDate      *expr.Expression
	Priority          *expr.Expression
	FormKey           string
	FormID            string
	ExternalReference string
	FormBindingType   string // zeebe:formDefinition bindingType (linked forms); "" when absent
	FormVersionTag    string // zeebe:formDefinition versionTag
}
