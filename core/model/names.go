package model

import "strings"

// Camunda's bpmnElementType names that are not an element's own: the
// process root of an instance and a taken sequence flow.
const (
	ElementTypeProcess      = "PROCESS"
	ElementTypeSequenceFlow = "SEQUENCE_FLOW"
)

// ElementType returns Camunda's bpmnElementType name for an element: the
// BPMN local name in upper snake case (serviceTask -> SERVICE_TASK), with
// PROCESS for a process and EVENT_SUB_PROCESS for an event subprocess.
func ElementType(el *Element) string {
	switch el.Kind {
	case KindProcess:
		return ElementTypeProcess
	case KindEventSubProcess:
		return "EVENT_SUB_PROCESS"
	}
	return upperSnake(el.Type)
}

// EventType returns Camunda's bpmnEventType for an event element (NONE,
// TIMER, MESSAGE, ...), or "" for an element that is no event.
func EventType(el *Element) string {
	if !strings.HasSuffix(el.Type, "Event") {
		return ""
	}
	_, def, ok := strings.Cut(string(el.Kind), ":")
	if !ok {
		return "NONE"
	}
	return upperSnake(def)
}

func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
