package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
)

const loopXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="loop" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again" />
    <bpmn:task id="again" />
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="back" />
    <bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="again" />
  </bpmn:process>
</bpmn:definitions>`

// A model that loops without a wait state must not hang the partition: the
// command stops with an incident, and the instance can still be cancelled.
func TestEndlessLoopRaisesAnIncident(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	ctx := context.Background()
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "loop.bpmn", Content: []byte(loopXML)}}}); err != nil {
		t.Fatal(err)
	}
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "loop"})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	if err := e.Read(ctx, func(s *state.State) {
		for _, k := range s.IncidentKeys() {
			i := s.Incident(k)
			msgs = append(msgs, string(i.Value.ErrorType)+" "+i.Value.ElementID+": "+i.Value.ErrorMessage)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "without reaching a wait state") {
		t.Fatalf("want one incident about the loop, got %q", msgs)
	}
	if err := e.CancelInstance(ctx, ci.ProcessInstanceKey); err != nil {
		t.Fatal(err)
	}
	if err := e.Read(ctx, func(s *state.State) {
		if c := s.Counts(); c.Elements != 0 || c.Incidents != 0 {
			t.Errorf("after cancel the state still holds %+v", c)
		}
	}); err != nil {
		t.Fatal(err)
	}
}
