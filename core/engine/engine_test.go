package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/element"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/elements/standard"
)

const w1XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="w1" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

func registry() *element.Registry { return standard.Registry() }

func start(t *testing.T, st *memstore.Store, c clock.Clock) *engine.Engine {
	t.Helper()
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: c, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func deployW1(t *testing.T, e *engine.Engine) {
	t.Helper()
	if _, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: []byte(w1XML)}}}); err != nil {
		t.Fatal(err)
	}
}

func TestDeployReportsEveryProblemAtOnce(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.NewManual(time.Unix(0, 0)))
	broken := `<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="nojob" />
    <bpmn:serviceTask id="nojob" />
    <bpmn:sequenceFlow id="f2" sourceRef="nojob" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f4" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="sig">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=a +</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="sig" />
    <bpmn:complexGateway id="sig" />
  </bpmn:process>
</bpmn:definitions>`
	malformed := `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="x" isExecutable="true">`
	_, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{
		{Name: "broken.bpmn", Content: []byte(broken)}, {Name: "malformed.bpmn", Content: []byte(malformed)},
	}})
	rj, ok := engine.AsRejection(err)
	if !ok || rj.Type != record.RejectionInvalidArgument {
		t.Fatalf("want an INVALID_ARGUMENT rejection, got %v", err)
	}
	for _, want := range []string{
		"broken.bpmn: line 6: element 'nojob'",           // missing job type
		"conditionExpression",                            // invalid FEEL, with the flow named
		"'f3'",                                           //
		"unsupported element complexGateway 'sig'",       // unknown to the engine
		"malformed.bpmn: line 1: xml is not well-formed", // malformed XML
	} {
		if !strings.Contains(rj.Reason, want) {
			t.Errorf("rejection does not mention %q:\n%s", want, rj.Reason)
		}
	}
}

func TestActivateJobsLongPollWakesWhenAJobAppears(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.System{})
	deployW1(t, e)
	ctx := context.Background()
	got := make(chan []engine.ActivatedJob, 1)
	go func() {
		jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Minute, MaxJobs: 5, RequestTimeout: time.Minute})
		if err != nil {
			t.Error(err)
		}
		got <- jobs
	}()
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
		t.Fatal(err)
	}
	select {
	case jobs := <-got:
		if len(jobs) != 1 || jobs[0].Value.Type != "work" || jobs[0].Value.Worker != "w" {
			t.Fatalf("long poll returned %+v", jobs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("long poll did not return after a job was created")
	}
}

func TestActivateJobsLongPollEndsEmptyAtRequestTimeout(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.System{})
	jobs, err := e.ActivateJobs(context.Background(), engine.ActivateJobsRequest{Type: "none", Worker: "w", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: 10 * time.Millisecond})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("got %v, %v", jobs, err)
	}
}

func TestRestartResumesKeysPositionsAndJobs(t *testing.T) {
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, st, mc)
	deployW1(t, e)
	ctx := context.Background()
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: 10 * time.Second, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	var before string
	if err := e.Read(ctx, func(s *state.State) { before = s.Hash() }); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	again := start(t, st, mc)
	var after string
	if err := again.Read(ctx, func(s *state.State) { after = s.Hash() }); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatal("state after restart differs from state before")
	}
	// The job's deadline survives: it times out on the restarted engine.
	mc.Advance(11 * time.Second)
	jobs2, err := again.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w2", Timeout: time.Minute, MaxJobs: 1})
	if err != nil || len(jobs2) != 1 || jobs2[0].Key != jobs[0].Key {
		t.Fatalf("timed-out job not handed out again: %v %v", jobs2, err)
	}
	// New keys continue after the old ones.
	ci2, err := again.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil || ci2.ProcessInstanceKey <= jobs2[0].Key || ci2.ProcessInstanceKey <= ci.ProcessInstanceKey {
		t.Fatalf("key after restart %d not past %d: %v", ci2.ProcessInstanceKey, jobs2[0].Key, err)
	}
}

func TestOverloadedQueueAndStoppedEngine(t *testing.T) {
	st := memstore.New(memstore.Options{})
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.System{}, Store: st, Registry: standard.Registry(), QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("command to a stopped engine: %v", err)
	}
}

func TestRejectionsOfJobCommands(t *testing.T) {
	e := start(t, memstore.New(memstore.Options{}), clock.System{})
	ctx := context.Background()
	cases := []struct {
		name string
		err  error
		want record.RejectionType
	}{
		{"complete unknown job", e.CompleteJob(ctx, engine.CompleteJobRequest{Key: 42}), record.RejectionNotFound},
		{"fail unknown job", e.FailJob(ctx, engine.FailJobRequest{Key: 42}), record.RejectionNotFound},
		{"throw on unknown job", e.ThrowError(ctx, engine.ThrowErrorRequest{Key: 42, ErrorCode: "x"}), record.RejectionNotFound},
		{"retries of unknown job", e.UpdateJobRetries(ctx, 42, 3), record.RejectionNotFound},
		{"resolve unknown incident", e.ResolveIncident(ctx, 42), record.RejectionNotFound},
		{"cancel unknown instance", e.CancelInstance(ctx, 42), record.RejectionNotFound},
		{"variables on unknown scope", e.SetVariables(ctx, engine.SetVariablesRequest{ScopeKey: 42}), record.RejectionNotFound},
	}
	for _, c := range cases {
		rj, ok := engine.AsRejection(c.err)
		if !ok || rj.Type != c.want {
			t.Errorf("%s: want %s, got %v", c.name, c.want, c.err)
		}
	}
	_, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "", MaxJobs: 1, Timeout: time.Second})
	if rj, ok := engine.AsRejection(err); !ok || rj.Type != record.RejectionInvalidArgument {
		t.Errorf("empty job type: %v", err)
	}
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{})
	if rj, ok := engine.AsRejection(err); !ok || rj.Type != record.RejectionInvalidArgument {
		t.Errorf("no process: %v", err)
	}
	_, err = e.Deploy(ctx, engine.DeployRequest{})
	if rj, ok := engine.AsRejection(err); !ok || rj.Type != record.RejectionInvalidArgument {
		t.Errorf("empty deployment: %v", err)
	}
}

func TestAwaitInstanceAndJobTimeoutUpdate(t *testing.T) {
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, memstore.New(memstore.Options{}), mc)
	deployW1(t, e)
	ctx := context.Background()
	ci, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	done, stop := e.AwaitInstance(ci.ProcessInstanceKey)
	defer stop()
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Second, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	if err := e.UpdateJobTimeout(ctx, jobs[0].Key, time.Hour); err != nil {
		t.Fatal(err)
	}
	mc.Advance(time.Minute) // past the first deadline, not the new one
	if again, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Second, MaxJobs: 1}); err != nil || len(again) != 0 {
		t.Fatalf("job with an extended timeout was handed out again: %v %v", again, err)
	}
	if e.QueueDepth() != 0 {
		t.Fatalf("queue depth %d with nothing queued", e.QueueDepth())
	}
	select {
	case <-done:
		t.Fatal("instance reported ended before its job completed")
	default:
	}
	if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitInstance did not report the end")
	}
	if err := e.UpdateJobTimeout(ctx, jobs[0].Key, time.Hour); err == nil {
		t.Fatal("updated the timeout of a completed job")
	}
}
