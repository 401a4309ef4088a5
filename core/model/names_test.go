package model

import "testing"

func TestElementAndEventTypeNames(t *testing.T) {
	cases := []struct {
		el          Element
		elem, event string
	}{
		{Element{Kind: KindProcess, Type: "process"}, "PROCESS", ""},
		{Element{Kind: KindServiceTask, Type: "serviceTask"}, "SERVICE_TASK", ""},
		{Element{Kind: KindEventSubProcess, Type: "subProcess"}, "EVENT_SUB_PROCESS", ""},
		{Element{Kind: KindStartEvent, Type: "startEvent"}, "START_EVENT", "NONE"},
		{Element{Kind: KindTimerBoundaryEvent, Type: "boundaryEvent"}, "BOUNDARY_EVENT", "TIMER"},
		{Element{Kind: KindTerminateEndEvent, Type: "endEvent"}, "END_EVENT", "TERMINATE"},
		{Element{Kind: KindEventBasedGateway, Type: "eventBasedGateway"}, "EVENT_BASED_GATEWAY", ""},
	}
	for _, c := range cases {
		if got := ElementType(&c.el); got != c.elem {
			t.Errorf("ElementType(%s) = %q, want %q", c.el.Kind, got, c.elem)
		}
		if got := EventType(&c.el); got != c.event {
			t.Errorf("EventType(%s) = %q, want %q", c.el.Kind, got, c.event)
		}
	}
}
