package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
)

const timerAndMessageXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=k" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
    <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="msg" />
    <bpmn:intermediateCatchEvent id="msg"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="msg" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// A timer and a buffered message survive a restart: each takes effect
// exactly once afterwards.
func TestTimersAndBufferedMessagesSurviveRestart(t *testing.T) {
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ctx := context.Background()
	e := start(t, st, mc)
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w.bpmn", Content: []byte(timerAndMessageXML)}}}); err != nil {
		t.Fatal(err)
	}
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "wait", Variables: map[string]any{"k": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.PublishMessage(ctx, engine.PublishMessageRequest{Name: "go", CorrelationKey: "a", TimeToLive: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, st, mc)
	mc.Advance(time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var active bool
		if err := again.Read(ctx, func(s *state.State) { active = s.Element(ci.ProcessInstanceKey) != nil }); err != nil {
			t.Fatal(err)
		}
		if !active {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the instance did not finish after the restart: the timer or the buffered message was lost")
		}
	}
	var triggered, correlated int
	if err := st.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.Kind == record.KindEvent && r.Intent == record.IntentTimerTriggered {
			triggered++
		}
		if r.Kind == record.KindEvent && r.Intent == record.IntentMessageSubscriptionCorrelated {
			correlated++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if triggered != 1 || correlated != 1 {
		t.Fatalf("timer fired %d times and message correlated %d times, want 1 and 1", triggered, correlated)
	}
}
