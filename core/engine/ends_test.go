package engine_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store/memstore"
)

const endOnlyXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="now" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:output source="=n + 1" target="m" /></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`

func awaitEnd(t *testing.T, ch <-chan engine.InstanceEnd) engine.InstanceEnd {
	t.Helper()
	select {
	case end := <-ch:
		return end
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitInstance did not report the end")
	}
	return engine.InstanceEnd{}
}

func TestCreateThatEndsAtOnceCarriesTheFinalVariables(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	if _, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{{Name: "now.bpmn", Content: []byte(endOnlyXML)}}}); err != nil {
		t.Fatal(err)
	}
	ci, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "now", Variables: map[string]any{"n": 41}})
	if err != nil {
		t.Fatal(err)
	}
	if ci.End == nil {
		t.Fatal("an instance that ended within its creation has no End")
	}
	if ci.End.ProcessInstanceKey != ci.ProcessInstanceKey || !ci.End.Completed {
		t.Fatalf("end %+v, want completed instance %d", ci.End, ci.ProcessInstanceKey)
	}
	if len(ci.End.Variables) != 2 || fmt.Sprint(ci.End.Variables["n"]) != "41" || fmt.Sprint(ci.End.Variables["m"]) != "42" {
		t.Fatalf("final variables %v, want n=41 and m=42", ci.End.Variables)
	}

	deployW1(t, e)
	waiting, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	if waiting.End != nil {
		t.Fatalf("an instance waiting at a task has an end: %+v", waiting.End)
	}
}

func TestAwaitInstanceCarriesTheFinalVariables(t *testing.T) {
	ctx := context.Background()
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	deployW1(t, e)
	done, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", Variables: map[string]any{"a": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	canceled, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", Variables: map[string]any{"b": true}})
	if err != nil {
		t.Fatal(err)
	}
	doneCh, stop := e.AwaitInstance(done.ProcessInstanceKey)
	defer stop()
	canceledCh, stop2 := e.AwaitInstance(canceled.ProcessInstanceKey)
	defer stop2()

	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 2})
	if err != nil || len(jobs) != 2 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	for _, j := range jobs {
		if j.Value.ProcessInstanceKey == done.ProcessInstanceKey {
			if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"r": "ok"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	end := awaitEnd(t, doneCh)
	want := engine.InstanceEnd{ProcessInstanceKey: done.ProcessInstanceKey, Completed: true, Variables: map[string]any{"a": "x", "r": "ok"}}
	if !reflect.DeepEqual(end, want) {
		t.Fatalf("completed: got %+v, want %+v", end, want)
	}

	if err := e.CancelInstance(ctx, canceled.ProcessInstanceKey); err != nil {
		t.Fatal(err)
	}
	end = awaitEnd(t, canceledCh)
	want = engine.InstanceEnd{ProcessInstanceKey: canceled.ProcessInstanceKey, Completed: false, Variables: map[string]any{"b": true}}
	if !reflect.DeepEqual(end, want) {
		t.Fatalf("canceled: got %+v, want %+v", end, want)
	}
}

// TestAwaitingAnEndWritesTheSameLog runs the same commands on two engines,
// one with every end awaited: keeping the final variables must not change
// a single record.
func TestAwaitingAnEndWritesTheSameLog(t *testing.T) {
	run := func(await bool) []string {
		ctx := context.Background()
		st := memstore.New(memstore.Options{})
		e := start(t, st, clock.NewManual(time.Unix(0, 0)))
		deployW1(t, e)
		if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "now.bpmn", Content: []byte(endOnlyXML)}}}); err != nil {
			t.Fatal(err)
		}
		var ends []<-chan engine.InstanceEnd
		for i := range 3 {
			ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1", Variables: map[string]any{"i": i}})
			if err != nil {
				t.Fatal(err)
			}
			if await {
				ch, stop := e.AwaitInstance(ci.ProcessInstanceKey)
				t.Cleanup(stop)
				ends = append(ends, ch)
			}
		}
		if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "now", Variables: map[string]any{"n": 1}}); err != nil {
			t.Fatal(err)
		}
		jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 3})
		if err != nil || len(jobs) != 3 {
			t.Fatalf("activate: %v %v", jobs, err)
		}
		for _, j := range jobs {
			if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: j.Key, Variables: map[string]any{"done": true}}); err != nil {
				t.Fatal(err)
			}
		}
		for _, ch := range ends {
			awaitEnd(t, ch)
		}
		var log []string
		if err := st.ReadLog(ctx, 1, func(r *record.Record) error {
			log = append(log, fmt.Sprintf("%d %d %d %v %v %+v", r.Position, r.SourcePosition, r.Key, r.ValueType, r.Intent, r.Value))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return log
	}
	plain, awaited := run(false), run(true)
	if len(plain) < 20 {
		t.Fatalf("the log has only %d records", len(plain))
	}
	if !reflect.DeepEqual(plain, awaited) {
		t.Fatalf("awaiting ends changed the log:\nwithout: %v\nwith:    %v", plain, awaited)
	}
}
