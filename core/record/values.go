package record

// DefaultTenant is Camunda's tenant id for engines without multi-tenancy.
const DefaultTenant = "<default>"

// Resource is one file of a deployment.
type Resource struct {
	Name    string `json:"resourceName"`
	Content []byte `json:"resource"`
}

// ProcessMetadata describes one process definition created by a deployment.
type ProcessMetadata struct {
	BPMNProcessID        string `json:"bpmnProcessId"`
	Version              int32  `json:"version"`
	VersionTag           string `json:"versionTag,omitempty"`
	ProcessDefinitionKey int64  `json:"processDefinitionKey"`
	ResourceName         string `json:"resourceName"`
	Checksum             string `json:"checksum"`
	// Duplicate is true when an identical resource was deployed before and
	// this entry names the existing definition.
	Duplicate bool   `json:"duplicate"`
	TenantID  string `json:"tenantId"`
}

// FormMetadata describes one form created by a deployment.
type FormMetadata struct {
	FormID       string `json:"formId"`
	Version      int32  `json:"version"`
	VersionTag   string `json:"versionTag,omitempty"`
	FormKey      int64  `json:"formKey"`
	ResourceName string `json:"resourceName"`
	Checksum     string `json:"checksum"`
	// Duplicate is true when an identical form was deployed before and
	// this entry names the existing version.
	Duplicate bool   `json:"duplicate"`
	TenantID  string `json:"tenantId"`
}

// DeploymentValue is a deployment command or event.
type DeploymentValue struct {
	Resources []Resource        `json:"resources,omitempty"`
	Processes []ProcessMetadata `json:"processesMetadata,omitempty"`
	Forms     []FormMetadata    `json:"formMetadata,omitempty"`
	TenantID  string            `json:"tenantId"`
}

// ValueType implements Value.
func (*DeploymentValue) ValueType() ValueType { return TypeDeployment }

// ProcessValue is a process definition: the event that creates one.
type ProcessValue struct {
	BPMNProcessID        string `json:"bpmnProcessId"`
	Name                 string `json:"name,omitempty"`
	Version              int32  `json:"version"`
	VersionTag           string `json:"versionTag,omitempty"`
	ProcessDefinitionKey int64  `json:"processDefinitionKey"`
	ResourceName         string `json:"resourceName"`
	Resource             []byte `json:"resource"`
	Checksum             string `json:"checksum"`
	DeploymentKey        int64  `json:"deploymentKey"`
	TenantID             string `json:"tenantId"`
}

// ValueType implements Value.
func (*ProcessValue) ValueType() ValueType { return TypeProcess }

// ProcessInstanceValue describes an element instance (the process itself
// included) or a taken sequence flow.
type ProcessInstanceValue struct {
	BPMNProcessID            string `json:"bpmnProcessId"`
	Version                  int32  `json:"version"`
	ProcessDefinitionKey     int64  `json:"processDefinitionKey"`
	ProcessInstanceKey       int64  `json:"processInstanceKey"`
	ElementID                string `json:"elementId"`
	BPMNElementType          string `json:"bpmnElementType"`
	BPMNEventType            string `json:"bpmnEventType,omitempty"`
	FlowScopeKey             int64  `json:"flowScopeKey"`
	ParentProcessInstanceKey int64  `json:"parentProcessInstanceKey"`
	ParentElementInstanceKey int64  `json:"parentElementInstanceKey"`
	TenantID                 string `json:"tenantId"`
}

// ValueType implements Value.
func (*ProcessInstanceValue) ValueType() ValueType { return TypeProcessInstance }

// ProcessInstanceCreationValue asks for (command) or reports (event) a new instance.
type ProcessInstanceCreationValue struct {
	BPMNProcessID        string         `json:"bpmnProcessId"`
	Version              int32          `json:"version"` // -1 or 0: latest
	ProcessDefinitionKey int64          `json:"processDefinitionKey"`
	ProcessInstanceKey   int64          `json:"processInstanceKey"`
	Variables            map[string]any `json:"variables"`
	TenantID             string         `json:"tenantId"`
	// TraceParent is the W3C traceparent of the request that created the
	// instance (empty when it was not traced); the event carries it to
	// the instance's state, and every job of the instance hands it to its
	// worker as the traceparent custom header.
	TraceParent string `json:"traceParent,omitempty"`
	// Tags are set on create commands from outside only: the instance's
	// tags (Camunda 8.8), which the store projects from the command
	// (store.HistoryOf); processing never reads them.
	Tags []string `json:"tags,omitempty"`
}

// ValueType implements Value.
func (*ProcessInstanceCreationValue) ValueType() ValueType { return TypeProcessInstanceCreation }

// JobValue is a job command or event.
type JobValue struct {
	Type                     string            `json:"type"`
	Worker                   string            `json:"worker,omitempty"`
	Retries                  int32             `json:"retries"`
	RetryBackoff             int64             `json:"retryBackoff,omitempty"` // milliseconds
	RecurringTime            int64             `json:"recurringTime,omitempty"`
	Deadline                 int64             `json:"deadline,omitempty"` // Unix milliseconds
	Timeout                  int64             `json:"timeout,omitempty"`  // milliseconds, on activation commands
	ErrorMessage             string            `json:"errorMessage,omitempty"`
	ErrorCode                string            `json:"errorCode,omitempty"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Variables                map[string]any    `json:"variables"`
	ElementID                string            `json:"elementId"`
	ElementInstanceKey       int64             `json:"elementInstanceKey"`
	BPMNProcessID            string            `json:"bpmnProcessId"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	ProcessDefinitionKey     int64             `json:"processDefinitionKey"`
	ProcessInstanceKey       int64             `json:"processInstanceKey"`
	TenantID                 string            `json:"tenantId"`
}

// ValueType implements Value.
func (*JobValue) ValueType() ValueType { return TypeJob }

// JobBatchValue asks for (command) or hands out (event) activatable jobs of a type.
type JobBatchValue struct {
	Type              string     `json:"type"`
	Worker            string     `json:"worker"`
	Timeout           int64      `json:"timeout"` // milliseconds
	MaxJobsToActivate int32      `json:"maxJobsToActivate"`
	FetchVariables    []string   `json:"fetchVariable,omitempty"`
	JobKeys           []int64    `json:"jobKeys,omitempty"`
	Jobs              []JobValue `json:"jobs,omitempty"`
	TenantIDs         []string   `json:"tenantIds,omitempty"`
}

// ValueType implements Value.
func (*JobBatchValue) ValueType() ValueType { return TypeJobBatch }

// VariableValue is a variable written in a scope.
type VariableValue struct {
	Name                 string `json:"name"`
	Value                any    `json:"value"`
	ScopeKey             int64  `json:"scopeKey"`
	ProcessInstanceKey   int64  `json:"processInstanceKey"`
	ProcessDefinitionKey int64  `json:"processDefinitionKey"`
	BPMNProcessID        string `json:"bpmnProcessId"`
	TenantID             string `json:"tenantId"`
}

// ValueType implements Value.
func (*VariableValue) ValueType() ValueType { return TypeVariable }

// VariableDocumentValue sets several variables on a scope at once.
type VariableDocumentValue struct {
	ScopeKey  int64          `json:"scopeKey"`
	Local     bool           `json:"local"` // true: set in the scope itself; false: propagate
	Variables map[string]any `json:"variables"`
}

// ValueType implements Value.
func (*VariableDocumentValue) ValueType() ValueType { return TypeVariableDocument }

// TimerValue is a timer of a catch event, a boundary event or a timer start event.
type TimerValue struct {
	ElementID            string `json:"targetElementId"`
	ElementInstanceKey   int64  `json:"elementInstanceKey"` // -1 for start events
	ProcessInstanceKey   int64  `json:"processInstanceKey"` // -1 for start events
	ProcessDefinitionKey int64  `json:"processDefinitionKey"`
	BPMNProcessID        string `json:"bpmnProcessId"`
	DueDate              int64  `json:"dueDate"` // Unix ms
	// Repetitions left after this one for cycles: -1 infinite, 0 none.
	Repetitions int32 `json:"repetitions"`
	// Cycle is the evaluated cycle definition to re-arm from; empty for one-shot timers.
	Cycle    string `json:"cycle,omitempty"`
	TenantID string `json:"tenantId"`
	// TraceParent is set on a trigger command only: the W3C traceparent of
	// the engine's span for the firing, which a process instance the timer
	// starts keeps (as ProcessInstanceCreationValue.TraceParent). Never in
	// the timer's state.
	TraceParent string `json:"traceParent,omitempty"`
}

// ValueType implements Value.
func (*TimerValue) ValueType() ValueType { return TypeTimer }

// MessageValue is a published message.
type MessageValue struct {
	Name           string         `json:"name"`
	CorrelationKey string         `json:"correlationKey"`
	TimeToLive     int64          `json:"timeToLive"` // milliseconds
	Deadline       int64          `json:"deadline"`   // Unix ms; the message expires then
	MessageID      string         `json:"messageId,omitempty"`
	Variables      map[string]any `json:"variables"`
	TenantID       string         `json:"tenantId"`
	// ProcessInstanceKey is set on correlation answers: the first instance reached.
	ProcessInstanceKey int64 `json:"processInstanceKey,omitempty"`
	// TraceParent is set on publish and correlate commands only: the W3C
	// traceparent of the sampled request that sent the message, which a
	// process instance the message starts keeps. Never in the message's
	// state.
	TraceParent string `json:"traceParent,omitempty"`
}

// ValueType implements Value.
func (*MessageValue) ValueType() ValueType { return TypeMessage }

// MessageSubscriptionValue is a running instance waiting for a message.
type MessageSubscriptionValue struct {
	ElementID            string         `json:"elementId"`
	ElementInstanceKey   int64          `json:"elementInstanceKey"`
	ProcessInstanceKey   int64          `json:"processInstanceKey"`
	ProcessDefinitionKey int64          `json:"processDefinitionKey"`
	BPMNProcessID        string         `json:"bpmnProcessId"`
	MessageName          string         `json:"messageName"`
	CorrelationKey       string         `json:"correlationKey"`
	Interrupting         bool           `json:"interrupting"`
	MessageKey           int64          `json:"messageKey,omitempty"` // on correlation
	Variables            map[string]any `json:"variables,omitempty"`  // on correlation
	TenantID             string         `json:"tenantId"`
}

// ValueType implements Value.
func (*MessageSubscriptionValue) ValueType() ValueType { return TypeMessageSubscription }

// MessageStartSubscriptionValue is a process definition started by a message.
type MessageStartSubscriptionValue struct {
	ProcessDefinitionKey int64          `json:"processDefinitionKey"`
	BPMNProcessID        string         `json:"bpmnProcessId"`
	StartEventID         string         `json:"startEventId"`
	MessageName          string         `json:"messageName"`
	MessageKey           int64          `json:"messageKey,omitempty"`         // on correlation
	CorrelationKey       string         `json:"correlationKey,omitempty"`     // on correlation
	ProcessInstanceKey   int64          `json:"processInstanceKey,omitempty"` // on correlation
	Variables            map[string]any `json:"variables,omitempty"`          // on correlation
	TenantID             string         `json:"tenantId"`
}

// ValueType implements Value.
func (*MessageStartSubscriptionValue) ValueType() ValueType { return TypeMessageStartSubscription }

// UserTaskValue is a Camunda user task, or a command on one.
type UserTaskValue struct {
	ElementID string `json:"elementId"`
	// Name is the user task element's name, "" when it has none.
	Name                     string            `json:"name,omitempty"`
	ElementInstanceKey       int64             `json:"elementInstanceKey"`
	ProcessInstanceKey       int64             `json:"processInstanceKey"`
	ProcessDefinitionKey     int64             `json:"processDefinitionKey"`
	ProcessDefinitionVersion int32             `json:"processDefinitionVersion"`
	BPMNProcessID            string            `json:"bpmnProcessId"`
	Assignee                 string            `json:"assignee"`
	CandidateGroups          []string          `json:"candidateGroups"`
	CandidateUsers           []string          `json:"candidateUsers"`
	DueDate                  string            `json:"dueDate,omitempty"`
	FollowUpDate             string            `json:"followUpDate,omitempty"`
	FormKey                  string            `json:"formKey,omitempty"`
	FormID                   string            `json:"formId,omitempty"`
	ExternalFormReference    string            `json:"externalFormReference,omitempty"`
	Priority                 int32             `json:"priority"`
	CustomHeaders            map[string]string `json:"customHeaders"`
	Variables                map[string]any    `json:"variables,omitempty"`
	Action                   string            `json:"action,omitempty"`
	// ChangedAttributes names what an update changed; on commands, what to change.
	ChangedAttributes []string `json:"changedAttributes,omitempty"`
	// AllowOverride lets an assignment replace another assignee (commands only).
	AllowOverride     bool  `json:"allowOverride,omitempty"`
	CreationTimestamp int64 `json:"creationTimestamp"`
	// CompletionTimestamp is when the task was completed or canceled (Unix ms).
	CompletionTimestamp int64  `json:"completionTimestamp,omitempty"`
	TenantID            string `json:"tenantId"`
}

// ValueType implements Value.
func (*UserTaskValue) ValueType() ValueType { return TypeUserTask }

// Tenant member entity types, as Camunda names them.
const (
	TenantEntityUser   = "USER"
	TenantEntityClient = "CLIENT"
)

// TenantValue is a tenant, or a user or client assigned to one (entity
// commands and events), as Camunda's tenant record has it.
type TenantValue struct {
	TenantKey   int64  `json:"tenantKey"`
	TenantID    string `json:"tenantId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// EntityType (TenantEntityUser or TenantEntityClient) and EntityID name
	// the member of entity commands and events.
	EntityType string `json:"entityType,omitempty"`
	EntityID   string `json:"entityId,omitempty"`
}

// ValueType implements Value.
func (*TenantValue) ValueType() ValueType { return TypeTenant }

// FormValue is a Camunda Form (form-js JSON) deployed as a .form resource:
// the event that creates one version of it. FormID is the JSON's "id";
// versions count per form id and tenant, as process versions do.
type FormValue struct {
	FormID        string `json:"formId"`
	Version       int32  `json:"version"`
	VersionTag    string `json:"versionTag,omitempty"`
	FormKey       int64  `json:"formKey"`
	ResourceName  string `json:"resourceName"`
	Resource      []byte `json:"resource"`
	Checksum      string `json:"checksum"`
	DeploymentKey int64  `json:"deploymentKey"`
	TenantID      string `json:"tenantId"`
}

// ValueType implements Value.
func (*FormValue) ValueType() ValueType { return TypeForm }

// KeyRangeValue is a range of keys the engine skipped: the command asks for
// it with the reason, and the event's record key is the new last key, so
// that replaying the event moves the key generator exactly as it did.
type KeyRangeValue struct {
	// Reason says why, e.g. that the store was restored from a backup.
	Reason string `json:"reason"`
	// FirstKey and LastKey bound the skipped keys (set on the event).
	FirstKey int64 `json:"firstKey,omitempty"`
	LastKey  int64 `json:"lastKey,omitempty"`
}

// ValueType implements Value.
func (*KeyRangeValue) ValueType() ValueType { return TypeKeyRange }

// ErrorType is the cause of an incident, as Camunda names it.
type ErrorType string

// Incident causes.
const (
	ErrorJobNoRetries       ErrorType = "JOB_NO_RETRIES"
	ErrorIOMapping          ErrorType = "IO_MAPPING_ERROR"
	ErrorCondition          ErrorType = "CONDITION_ERROR"
	ErrorExtractValue       ErrorType = "EXTRACT_VALUE_ERROR"
	ErrorCalledElement      ErrorType = "CALLED_ELEMENT_ERROR"
	ErrorUnhandledErrorEvnt ErrorType = "UNHANDLED_ERROR_EVENT"
	ErrorUnknown            ErrorType = "UNKNOWN"
	ErrorFormNotFound       ErrorType = "FORM_NOT_FOUND"
)

// IncidentValue is an incident command or event.
type IncidentValue struct {
	ErrorType            ErrorType `json:"errorType"`
	ErrorMessage         string    `json:"errorMessage"`
	BPMNProcessID        string    `json:"bpmnProcessId"`
	ProcessDefinitionKey int64     `json:"processDefinitionKey"`
	ProcessInstanceKey   int64     `json:"processInstanceKey"`
	ElementID            string    `json:"elementId"`
	ElementInstanceKey   int64     `json:"elementInstanceKey"`
	JobKey               int64     `json:"jobKey"`
	VariableScopeKey     int64     `json:"variableScopeKey"`
	TenantID             string    `json:"tenantId"`
}

// ValueType implements Value.
func (*IncidentValue) ValueType() ValueType { return TypeIncident }

// Interface guards
var (
	_ Value = (*DeploymentValue)(nil)
	_ Value = (*ProcessValue)(nil)
	_ Value = (*ProcessInstanceValue)(nil)
	_ Value = (*ProcessInstanceCreationValue)(nil)
	_ Value = (*JobValue)(nil)
	_ Value = (*JobBatchValue)(nil)
	_ Value = (*VariableValue)(nil)
	_ Value = (*IncidentValue)(nil)
	_ Value = (*VariableDocumentValue)(nil)
	_ Value = (*TimerValue)(nil)
	_ Value = (*MessageValue)(nil)
	_ Value = (*MessageSubscriptionValue)(nil)
	_ Value = (*MessageStartSubscriptionValue)(nil)
	_ Value = (*UserTaskValue)(nil)
	_ Value = (*TenantValue)(nil)
)

// ProcessInstanceModificationValue changes a running process instance
// (Camunda's process instance modification): it activates elements and
// terminates element instances, all or none. The event repeats the command
// with the instance's process and tenant.
type ProcessInstanceModificationValue struct {
	ProcessInstanceKey    int64                  `json:"processInstanceKey"`
	ActivateInstructions  []ActivateInstruction  `json:"activateInstructions,omitempty"`
	TerminateInstructions []TerminateInstruction `json:"terminateInstructions,omitempty"`
	// OperationReference is the caller's reference, echoed (0 when none).
	OperationReference   int64  `json:"operationReference,omitempty"`
	BPMNProcessID        string `json:"bpmnProcessId,omitempty"`
	ProcessDefinitionKey int64  `json:"processDefinitionKey,omitempty"`
	TenantID             string `json:"tenantId,omitempty"`
}

// ValueType implements Value.
func (*ProcessInstanceModificationValue) ValueType() ValueType {
	return TypeProcessInstanceModification
}

// AdHocSubProcessInstructionValue activates inner elements of a running
// ad-hoc subprocess instance (Camunda's activateAdHocSubProcessActivities):
// the ACTIVATE command a caller sends and the ACTIVATED event, whose key
// is the subprocess instance's.
type AdHocSubProcessInstructionValue struct {
	AdHocSubProcessInstanceKey int64                  `json:"adHocSubProcessInstanceKey"`
	ActivateElements           []AdHocActivateElement `json:"activateElements"`
	ProcessInstanceKey         int64                  `json:"processInstanceKey,omitempty"`
	BPMNProcessID              string                 `json:"bpmnProcessId,omitempty"`
	ProcessDefinitionKey       int64                  `json:"processDefinitionKey,omitempty"`
	TenantID                   string                 `json:"tenantId,omitempty"`
}

// ValueType implements Value.
func (*AdHocSubProcessInstructionValue) ValueType() ValueType {
	return TypeAdHocSubProcessInstruction
}

// AdHocActivateElement is one inner element to activate, with variables
// local to its new instance.
type AdHocActivateElement struct {
	ElementID string         `json:"elementId"`
	Variables map[string]any `json:"variables,omitempty"`
}

// ActivateInstruction activates an element: in the one active instance of
// its flow scope, or inside AncestorScopeKey (an active instance of one of
// its flow scopes; 0 when none is chosen), creating the flow scopes that
// have no instance there.
type ActivateInstruction struct {
	ElementID            string                `json:"elementId"`
	AncestorScopeKey     int64                 `json:"ancestorScopeKey,omitempty"`
	VariableInstructions []VariableInstruction `json:"variableInstructions,omitempty"`
}

// VariableInstruction sets variables local to a scope of an activated
// element: the element ScopeID names (the element itself or one of its
// flow scopes), or the process instance when ScopeID is empty.
type VariableInstruction struct {
	Variables map[string]any `json:"variables"`
	ScopeID   string         `json:"scopeId,omitempty"`
}

// TerminateInstruction terminates an element instance and what is inside it.
type TerminateInstruction struct {
	ElementInstanceKey int64 `json:"elementInstanceKey"`
}

// SignalValue is a broadcast signal: the BROADCAST command a caller sends
// and the BROADCASTED event, whose key is the signal key.
type SignalValue struct {
	SignalName string         `json:"signalName"`
	Variables  map[string]any `json:"variables"`
	TenantID   string         `json:"tenantId"`
}

// ValueType implements Value.
func (*SignalValue) ValueType() ValueType { return TypeSignal }

// SignalSubscriptionValue is a catch event waiting for a signal: an
// intermediate catch or boundary event of a running instance, or a start
// event of a process definition (CatchEventInstanceKey and
// ProcessInstanceKey -1).
type SignalSubscriptionValue struct {
	ProcessDefinitionKey  int64  `json:"processDefinitionKey"`
	BPMNProcessID         string `json:"bpmnProcessId"`
	CatchEventID          string `json:"catchEventId"`
	CatchEventInstanceKey int64  `json:"catchEventInstanceKey"`
	ProcessInstanceKey    int64  `json:"processInstanceKey"`
	SignalName            string `json:"signalName"`
	Interrupting          bool   `json:"interrupting"`
	TenantID              string `json:"tenantId"`
}

// ValueType implements Value.
func (*SignalSubscriptionValue) ValueType() ValueType { return TypeSignalSubscription }

// EscalationValue is an escalation thrown by an element (ThrowElementID)
// of a process instance and caught by CatchElementID ("" when nothing
// caught it), as Zeebe's ESCALATION record.
type EscalationValue struct {
	ProcessInstanceKey int64  `json:"processInstanceKey"`
	EscalationCode     string `json:"escalationCode"`
	ThrowElementID     string `json:"throwElementId"`
	CatchElementID     string `json:"catchElementId"`
	TenantID           string `json:"tenantId"`
}

// ValueType implements Value.
func (*EscalationValue) ValueType() ValueType { return TypeEscalation }

// CompensationSubscriptionValue is a completed activity that can be
// compensated (its compensation boundary event's handler), or a completed
// subprocess with such activities inside (CompensationHandlerID ""), as
// Zeebe's COMPENSATION_SUBSCRIPTION record. The throw event and handler
// instance are set when a compensation throw or end event triggered it.
type CompensationSubscriptionValue struct {
	TenantID                       string `json:"tenantId"`
	ProcessInstanceKey             int64  `json:"processInstanceKey"`
	ProcessDefinitionKey           int64  `json:"processDefinitionKey"`
	CompensableActivityID          string `json:"compensableActivityId"`
	CompensableActivityScopeKey    int64  `json:"compensableActivityScopeKey"`
	CompensableActivityInstanceKey int64  `json:"compensableActivityInstanceKey"`
	ThrowEventID                   string `json:"throwEventId"`
	ThrowEventInstanceKey          int64  `json:"throwEventInstanceKey"`
	CompensationHandlerID          string `json:"compensationHandlerId"`
	CompensationHandlerInstanceKey int64  `json:"compensationHandlerInstanceKey"`
}

// ValueType implements Value.
func (*CompensationSubscriptionValue) ValueType() ValueType { return TypeCompensationSubscription }
