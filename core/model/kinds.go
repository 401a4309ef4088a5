package model

// Kinds of tasks, containers and gateways: the BPMN local name.
const (
	KindTask             Kind = "task"
	KindServiceTask      Kind = "serviceTask"
	KindUserTask         Kind = "userTask"
	KindManualTask       Kind = "manualTask"
	KindReceiveTask      Kind = "receiveTask"
	KindSendTask         Kind = "sendTask"
	KindScriptTask       Kind = "scriptTask"
	KindBusinessRuleTask Kind = "businessRuleTask"
	KindCallActivity     Kind = "callActivity"
	KindSubProcess       Kind = "subProcess"
	KindEventSubProcess  Kind = "subProcess:event" // subProcess with triggeredByEvent="true"
	KindTransaction      Kind = "transaction"
	KindAdHocSubProcess  Kind = "adHocSubProcess"
	// KindMultiInstanceBody is the body of a multi-instance activity: it
	// takes the activity's place in its scope (id, flows, boundary events)
	// and holds the activity itself as its only child, with the same id.
	KindMultiInstanceBody Kind = "multiInstanceBody"

	KindExclusiveGateway  Kind = "exclusiveGateway"
	KindParallelGateway   Kind = "parallelGateway"
	KindInclusiveGateway  Kind = "inclusiveGateway"
	KindEventBasedGateway Kind = "eventBasedGateway"
	KindComplexGateway    Kind = "complexGateway"
)

// Kinds of start events. An event with two or more event definitions gets
// the suffix ":multiple".
const (
	KindStartEvent             Kind = "startEvent"
	KindTimerStartEvent        Kind = "startEvent:timer"
	KindMessageStartEvent      Kind = "startEvent:message"
	KindSignalStartEvent       Kind = "startEvent:signal"
	KindConditionalStartEvent  Kind = "startEvent:conditional"
	KindErrorStartEvent        Kind = "startEvent:error"
	KindEscalationStartEvent   Kind = "startEvent:escalation"
	KindCompensationStartEvent Kind = "startEvent:compensate"
	KindMultipleStartEvent     Kind = "startEvent:multiple"
)

// Kinds of end events.
const (
	KindEndEvent             Kind = "endEvent"
	KindMessageEndEvent      Kind = "endEvent:message"
	KindErrorEndEvent        Kind = "endEvent:error"
	KindTerminateEndEvent    Kind = "endEvent:terminate"
	KindSignalEndEvent       Kind = "endEvent:signal"
	KindEscalationEndEvent   Kind = "endEvent:escalation"
	KindCompensationEndEvent Kind = "endEvent:compensate"
	KindCancelEndEvent       Kind = "endEvent:cancel"
	KindMultipleEndEvent     Kind = "endEvent:multiple"
)

// Kinds of intermediate catch events.
const (
	KindIntermediateCatchEvent            Kind = "intermediateCatchEvent" // no definition: invalid BPMN, kept for rejection
	KindTimerIntermediateCatchEvent       Kind = "intermediateCatchEvent:timer"
	KindMessageIntermediateCatchEvent     Kind = "intermediateCatchEvent:message"
	KindSignalIntermediateCatchEvent      Kind = "intermediateCatchEvent:signal"
	KindConditionalIntermediateCatchEvent Kind = "intermediateCatchEvent:conditional"
	KindLinkIntermediateCatchEvent        Kind = "intermediateCatchEvent:link"
	KindMultipleIntermediateCatchEvent    Kind = "intermediateCatchEvent:multiple"
)

// Kinds of intermediate throw events.
const (
	KindIntermediateThrowEvent             Kind = "intermediateThrowEvent"
	KindMessageIntermediateThrowEvent      Kind = "intermediateThrowEvent:message"
	KindSignalIntermediateThrowEvent       Kind = "intermediateThrowEvent:signal"
	KindEscalationIntermediateThrowEvent   Kind = "intermediateThrowEvent:escalation"
	KindCompensationIntermediateThrowEvent Kind = "intermediateThrowEvent:compensate"
	KindLinkIntermediateThrowEvent         Kind = "intermediateThrowEvent:link"
	KindMultipleIntermediateThrowEvent     Kind = "intermediateThrowEvent:multiple"
)

// Kinds of boundary events.
const (
	KindBoundaryEvent             Kind = "boundaryEvent" // no definition: invalid BPMN, kept for rejection
	KindTimerBoundaryEvent        Kind = "boundaryEvent:timer"
	KindMessageBoundaryEvent      Kind = "boundaryEvent:message"
	KindErrorBoundaryEvent        Kind = "boundaryEvent:error"
	KindSignalBoundaryEvent       Kind = "boundaryEvent:signal"
	KindEscalationBoundaryEvent   Kind = "boundaryEvent:escalation"
	KindCompensationBoundaryEvent Kind = "boundaryEvent:compensate"
	KindConditionalBoundaryEvent  Kind = "boundaryEvent:conditional"
	KindCancelBoundaryEvent       Kind = "boundaryEvent:cancel"
	KindMultipleBoundaryEvent     Kind = "boundaryEvent:multiple"
)

// activityTypes are the BPMN local names of activities: the elements a
// boundary event may sit on.
var activityTypes = map[string]bool{
	"task": true, "serviceTask": true, "userTask": true, "manualTask": true,
	"receiveTask": true, "sendTask": true, "scriptTask": true,
	"businessRuleTask": true, "callActivity": true, "subProcess": true,
	"transaction": true, "adHocSubProcess": true, "multiInstanceBody": true,
}

// eventTypes are the BPMN local names of events: their Kind carries the
// event definition.
var eventTypes = map[string]bool{
	"startEvent": true, "endEvent": true, "intermediateCatchEvent": true,
	"intermediateThrowEvent": true, "boundaryEvent": true,
}

// containerTypes are the BPMN local names of elements whose children are
// flow nodes of their own scope.
var containerTypes = map[string]bool{
	"subProcess": true, "transaction": true, "adHocSubProcess": true,
}

// IsActivity reports whether the element is an activity (a task, a call
// activity or a subprocess of any kind), the only elements that may carry
// boundary events.
func (e *Element) IsActivity() bool { return activityTypes[e.Type] }

// IsEvent reports whether the element is a start, end, intermediate or
// boundary event.
func (e *Element) IsEvent() bool { return eventTypes[e.Type] }

// IsGateway reports whether the element is a gateway of any kind.
func (e *Element) IsGateway() bool {
	switch e.Type {
	case "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway":
		return true
	}
	return false
}
