package state

import (
	"testing"

	"github.com/example/wf-engine/core/record"
)

// The appliers keep the active instances and open incidents as they go,
// and a restored state starts from what its rows hold.
func TestGaugesFollowTheEvents(t *testing.T) {
	a := &applied{t: t, s: New(noParse, nil)}
	a.event(1, record.IntentProcessCreated, &record.ProcessValue{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 1})
	root := func(key int64) *record.ProcessInstanceValue {
		return &record.ProcessInstanceValue{BPMNProcessID: "order", ProcessDefinitionKey: 1, ProcessInstanceKey: key, ElementID: "order",
			BPMNElementType: "PROCESS", FlowScopeKey: -1}
	}
	a.event(2, record.IntentElementActivating, root(2))
	a.event(3, record.IntentElementActivating, root(3))
	a.event(4, record.IntentIncidentCreated, &record.IncidentValue{ErrorType: record.ErrorIOMapping, ProcessInstanceKey: 2, ElementInstanceKey: 2})
	a.event(5, record.IntentIncidentCreated, &record.IncidentValue{ErrorType: record.ErrorIOMapping, ProcessInstanceKey: 3, ElementInstanceKey: 3})
	a.event(6, record.IntentIncidentCreated, &record.IncidentValue{ErrorType: record.ErrorCondition, ProcessInstanceKey: 3, ElementInstanceKey: 3})
	g := a.s.Gauges()
	if g.ActiveInstances != 2 || g.OpenIncidents[record.ErrorIOMapping] != 2 || g.OpenIncidents[record.ErrorCondition] != 1 {
		t.Fatalf("gauges after two instances and three incidents: %+v", g)
	}
	a.event(4, record.IntentIncidentResolved, &record.IncidentValue{ErrorType: record.ErrorIOMapping})
	a.event(6, record.IntentIncidentResolved, &record.IncidentValue{ErrorType: record.ErrorCondition})
	a.event(3, record.IntentElementTerminated, root(3))

	snap := &Snapshot{LastKey: 6, LastPosition: a.pos, Processes: []record.ProcessValue{{BPMNProcessID: "order", Version: 1, ProcessDefinitionKey: 1}},
		Elements:  []ElementRow{{Key: 2, State: ElementActivated, Value: *root(2), IncidentKey: 5}},
		Incidents: []IncidentRow{{Key: 5, Value: record.IncidentValue{ErrorType: record.ErrorIOMapping, ProcessInstanceKey: 2, ElementInstanceKey: 2}}}}
	restored, err := Restore(noParse, nil, snap)
	if err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]Gauges{"applied": a.s.Gauges(), "restored": restored.Gauges()} {
		if g.ActiveInstances != 1 || len(g.OpenIncidents) != 1 || g.OpenIncidents[record.ErrorIOMapping] != 1 {
			t.Errorf("%s gauges: %+v", name, g)
		}
	}
	a.event(2, record.IntentElementCompleted, root(2))
	if g := a.s.Gauges(); g.ActiveInstances != 0 || len(g.OpenIncidents) != 1 {
		t.Errorf("gauges after the last instance ended: %+v", g)
	}
}
