package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
)

const compensationXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="x">
  <bpmn:process id="undo" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:boundaryEvent id="undo-charge" attachedToRef="charge"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:serviceTask id="refund" isForCompensation="true"><bpmn:extensionElements><zeebe:taskDefinition type="refund" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:association id="a1" sourceRef="undo-charge" targetRef="refund" />
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="ship" />
    <bpmn:serviceTask id="ship"><bpmn:extensionElements><zeebe:taskDefinition type="ship" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="roll-back" />
    <bpmn:endEvent id="roll-back"><bpmn:compensateEventDefinition /></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`

// A compensation subscription survives a restart, both before it is
// triggered (the activity completed) and while its handler runs: the
// stored rows restore it, the throw event after the restart runs the
// handler, and the handler completing after the next restart completes
// the end event and the instance.
func TestCompensationSurvivesRestart(t *testing.T) {
	forDurableStores(t, func(t *testing.T, open func() store.Store) {
		ctx := context.Background()
		mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		work := func(e *engine.Engine, typ string) {
			t.Helper()
			jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: typ, Worker: "t", Timeout: time.Hour, MaxJobs: 1})
			if err != nil || len(jobs) != 1 {
				t.Fatalf("activate %s: %d jobs, %v", typ, len(jobs), err)
			}
			if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key}); err != nil {
				t.Fatal(err)
			}
		}
		subs := func(e *engine.Engine) []state.CompensationSubscription {
			t.Helper()
			var out []state.CompensationSubscription
			if err := e.Read(ctx, func(s *state.State) {
				for _, sub := range s.CompensationSubscriptions() {
					out = append(out, *sub)
				}
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		var pi int64
		runOn(t, open, mc, func(e *engine.Engine) {
			if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "u.bpmn", Content: []byte(compensationXML)}}}); err != nil {
				t.Fatal(err)
			}
			ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "undo"})
			if err != nil {
				t.Fatal(err)
			}
			pi = ci.ProcessInstanceKey
			work(e, "charge")
		})
		runOn(t, open, mc, func(e *engine.Engine) {
			got := subs(e)
			if len(got) != 1 || got[0].Value.CompensableActivityID != "charge" || got[0].Value.CompensationHandlerID != "refund" ||
				got[0].Value.ProcessInstanceKey != pi || got[0].Value.ThrowEventInstanceKey != 0 {
				t.Fatalf("after the restart the compensation subscriptions are %+v, want charge's, not triggered", got)
			}
			work(e, "ship")
		})
		runOn(t, open, mc, func(e *engine.Engine) {
			got := subs(e)
			if len(got) != 1 || got[0].Value.ThrowEventID != "roll-back" || got[0].Value.CompensationHandlerInstanceKey <= 0 {
				t.Fatalf("after the second restart the compensation subscriptions are %+v, want charge's, triggered by roll-back", got)
			}
			work(e, "refund")
			if left := subs(e); len(left) != 0 {
				t.Errorf("%d compensation subscriptions left after the handler completed, want 0", len(left))
			}
			if err := e.Read(ctx, func(s *state.State) {
				if got := s.Summary(pi); len(got) != 0 {
					t.Errorf("after the refund the instance holds %v, want it ended", got)
				}
			}); err != nil {
				t.Fatal(err)
			}
		})
	})
}
