package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

const twoTasksXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="two" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a" />
    <bpmn:serviceTask id="a"><bpmn:extensionElements><zeebe:taskDefinition type="a" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b" />
    <bpmn:serviceTask id="b"><bpmn:extensionElements><zeebe:taskDefinition type="b" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// The traceparent of the request that created an instance is kept with
// the instance, survives a restart and a replay of the log, and reaches
// every job of the instance as its traceparent custom header; the
// command's span has its queue and processing times and its commit child.
func TestTraceParentFollowsTheInstanceThroughItsJobs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	open := func() *sqlitestore.Store {
		s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	st := open()
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: mc, Store: st, Registry: standard.Registry(), Tracer: tp})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "two.bpmn", Content: []byte(twoTasksXML)}}}); err != nil {
		t.Fatal(err)
	}
	reqCtx, reqSpan := tp.Tracer("test").Start(ctx, "request")
	ci, err := e.CreateInstance(reqCtx, engine.CreateInstanceRequest{BPMNProcessID: "two"})
	reqSpan.End()
	if err != nil {
		t.Fatal(err)
	}
	// With tracing on, an instance created outside any trace gets the
	// trace of its command's span.
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "two"}); err != nil {
		t.Fatal(err)
	}

	var command sdktrace.ReadOnlySpan
	children := map[string]bool{}
	for _, s := range rec.Ended() {
		if s.Name() == engine.SpanCommand+" PROCESS_INSTANCE_CREATION CREATE" && s.Parent().SpanID() == reqSpan.SpanContext().SpanID() {
			command = s
		}
	}
	if command == nil {
		t.Fatalf("expected the create command's span as a child of the request's span, got %v", names(rec.Ended()))
	}
	for _, s := range rec.Ended() {
		if s.Parent().SpanID() == command.SpanContext().SpanID() {
			children[s.Name()] = true
		}
	}
	if !children[engine.SpanCommit] || len(children) != 1 {
		t.Fatalf("expected the commit as the command span's one child, got %v", children)
	}
	times := map[string]bool{}
	for _, a := range command.Attributes() {
		switch a.Key {
		case engine.AttrQueuedMs, engine.AttrProcessMs:
			times[string(a.Key)] = a.Value.AsFloat64() >= 0
		case engine.AttrBatchCommands, engine.AttrBatchRecords:
			times[string(a.Key)] = a.Value.AsInt64() >= 1
		}
	}
	if len(times) != 4 || !times[string(engine.AttrQueuedMs)] || !times[string(engine.AttrProcessMs)] ||
		!times[string(engine.AttrBatchCommands)] || !times[string(engine.AttrBatchRecords)] {
		t.Fatalf("expected the queue and processing times and the batch's size on the command span, got %v", command.Attributes())
	}
	want := "00-" + command.SpanContext().TraceID().String() + "-" + command.SpanContext().SpanID().String() + "-01"

	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "a", Worker: "w", Timeout: time.Minute, MaxJobs: 10})
	if err != nil || len(jobs) != 2 {
		t.Fatalf("activate a: %v %v", jobs, err)
	}
	var traced int64
	for _, j := range jobs {
		got, ok := j.Value.CustomHeaders[engine.HeaderTraceParent]
		switch {
		case j.Value.ProcessInstanceKey == ci.ProcessInstanceKey && got != want:
			t.Fatalf("job of the traced instance: expected traceparent %s, got %q", want, got)
		case j.Value.ProcessInstanceKey != ci.ProcessInstanceKey && (!ok || got[3:35] == want[3:35]):
			t.Fatalf("job of the other instance: expected a traceparent of another trace, got %q", got)
		}
		if j.Value.ProcessInstanceKey == ci.ProcessInstanceKey {
			traced = j.Key
		}
	}
	activated := 0
	for _, s := range rec.Ended() {
		if s.Name() == engine.SpanJobActivated && s.SpanContext().TraceID() == command.SpanContext().TraceID() &&
			s.Parent().SpanID() == command.SpanContext().SpanID() {
			activated++
		}
	}
	if activated != 1 {
		t.Fatalf("expected one %s span in the instance's trace, got %d", engine.SpanJobActivated, activated)
	}
	if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: traced}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Restarted from the store's rows, without tracing: the next job of
	// the instance still carries the instance's traceparent.
	st = open()
	t.Cleanup(func() { _ = st.Close() })
	again, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: mc, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Close() })
	jobs, err = again.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "b", Worker: "w", Timeout: time.Minute, MaxJobs: 10})
	if err != nil || len(jobs) != 1 || jobs[0].Value.CustomHeaders[engine.HeaderTraceParent] != want {
		t.Fatalf("after a restart: expected job b with traceparent %s, got %+v %v", want, jobs, err)
	}

	// Without tracing and without a caller's trace, an instance keeps no
	// traceparent and its jobs carry none.
	other, err := again.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "two"})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err = again.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "a", Worker: "w", Timeout: time.Minute, MaxJobs: 10})
	if err != nil || len(jobs) != 1 || jobs[0].Value.ProcessInstanceKey != other.ProcessInstanceKey {
		t.Fatalf("activate the untraced instance's job: %+v %v", jobs, err)
	}
	if got, ok := jobs[0].Value.CustomHeaders[engine.HeaderTraceParent]; ok {
		t.Fatalf("untraced instance: expected no traceparent header, got %q", got)
	}

	// Replaying the log rebuilds the state the rows hold, traceparent
	// included.
	replayed := engine.NewState(standard.Registry())
	if err := st.ReadLog(ctx, 1, replayed.Apply); err != nil {
		t.Fatal(err)
	}
	var restored string
	var kept string
	if err := again.Read(ctx, func(s *state.State) { restored, kept = s.Hash(), s.Element(ci.ProcessInstanceKey).TraceParent }); err != nil {
		t.Fatal(err)
	}
	if kept != want || replayed.Element(ci.ProcessInstanceKey).TraceParent != want {
		t.Fatalf("expected the instance to keep traceparent %s after a restart and a replay, got %q and %q",
			want, kept, replayed.Element(ci.ProcessInstanceKey).TraceParent)
	}
	if replayed.Hash() != restored {
		t.Fatal("the replayed state differs from the state restored from the rows")
	}
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name() + "<" + s.Parent().SpanID().String()
	}
	return out
}

// A caller's trace that was not sampled is followed: no engine span, and
// the instance keeps no traceparent, so its jobs carry none.
func TestUnsampledCallerLeavesNoTraceParent(t *testing.T) {
	ctx := context.Background()
	e, rec, _ := startTraced(t, clock.System{}, "two.bpmn", twoTasksXML)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	unsampled := trace.ContextWithRemoteSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid}))
	if _, err := e.CreateInstance(unsampled, engine.CreateInstanceRequest{BPMNProcessID: "two"}); err != nil {
		t.Fatal(err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "a", Worker: "w", Timeout: time.Minute, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %+v %v", jobs, err)
	}
	if got, ok := jobs[0].Value.CustomHeaders[engine.HeaderTraceParent]; ok {
		t.Fatalf("expected no traceparent for an unsampled caller, got %q", got)
	}
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == tid {
			t.Fatalf("expected no span in the unsampled trace, got %s", s.Name())
		}
	}
}

const timerXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="pause" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// A timer's firing is a root span linked to its instance's trace, not a
// child of a span that would otherwise stay open for the timer's duration.
func TestTimerFiringIsLinkedToTheInstancesTrace(t *testing.T) {
	ctx := context.Background()
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, rec, tp := startTraced(t, mc, "pause.bpmn", timerXML)
	reqCtx, req := tp.Tracer("test").Start(ctx, "request")
	ci, err := e.CreateInstance(reqCtx, engine.CreateInstanceRequest{BPMNProcessID: "pause"})
	req.End()
	if err != nil {
		t.Fatal(err)
	}
	mc.Advance(2 * time.Minute)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var fired sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			if s.Name() == engine.SpanTimerTriggered {
				fired = s
			}
		}
		if fired != nil {
			links := fired.Links()
			if fired.Parent().IsValid() || len(links) != 1 || links[0].SpanContext.TraceID() != req.SpanContext().TraceID() {
				t.Fatalf("expected a root span linked to the instance's trace %s, got parent %v links %+v",
					req.SpanContext().TraceID(), fired.Parent(), links)
			}
			for _, a := range fired.Attributes() {
				if a.Key == engine.AttrInstanceKey && a.Value.AsInt64() != ci.ProcessInstanceKey {
					t.Fatalf("expected the instance key %d, got %d", ci.ProcessInstanceKey, a.Value.AsInt64())
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no timer span after the timer was due")
		}
		time.Sleep(5 * time.Millisecond) // polling for the engine's loop, not waiting for time to pass
	}
}

const userTaskXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// A user task completed later, in a trace of its own, is linked to the
// trace of the request that created its instance.
func TestUserTaskCompletionIsLinkedToTheInstancesTrace(t *testing.T) {
	ctx := context.Background()
	e, rec, tp := startTraced(t, clock.System{}, "review.bpmn", userTaskXML)
	createCtx, create := tp.Tracer("test").Start(ctx, "create")
	if _, err := e.CreateInstance(createCtx, engine.CreateInstanceRequest{BPMNProcessID: "review"}); err != nil {
		t.Fatal(err)
	}
	create.End()
	var key int64
	if err := e.Read(ctx, func(s *state.State) {
		if keys := s.UserTaskKeys(); len(keys) == 1 {
			key = keys[0]
		}
	}); err != nil || key == 0 {
		t.Fatalf("expected one user task, got key %d: %v", key, err)
	}
	completeCtx, complete := tp.Tracer("test").Start(ctx, "complete")
	if err := e.CompleteUserTask(completeCtx, engine.CompleteUserTaskRequest{Key: key}); err != nil {
		t.Fatal(err)
	}
	complete.End()
	for _, s := range rec.Ended() {
		if s.Name() != engine.SpanCommand+" USER_TASK COMPLETE" {
			continue
		}
		if s.Parent().SpanID() != complete.SpanContext().SpanID() || len(s.Links()) != 1 ||
			s.Links()[0].SpanContext.TraceID() != create.SpanContext().TraceID() {
			t.Fatalf("expected the completion's span under its request, linked to the creating trace %s; got parent %v links %+v",
				create.SpanContext().TraceID(), s.Parent(), s.Links())
		}
		return
	}
	t.Fatal("no span for the user task's completion")
}

// startTraced starts an engine on a memory store that traces into a span
// recorder, with one resource deployed.
func startTraced(t *testing.T, c clock.Clock, name, xml string) (*engine.Engine, *tracetest.SpanRecorder, *sdktrace.TracerProvider) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: c, Store: memstore.New(memstore.Options{}),
		Registry: standard.Registry(), Tracer: tp})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	if _, err := e.Deploy(context.Background(), engine.DeployRequest{Resources: []record.Resource{{Name: name, Content: []byte(xml)}}}); err != nil {
		t.Fatal(err)
	}
	return e, rec, tp
}

const messageXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;k&quot;" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="msg" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="after" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// A message published in a trace of its own counts its correlations and
// links to the trace of the instance it reached.
func TestMessageCorrelationIsLinkedToTheInstancesTrace(t *testing.T) {
	ctx := context.Background()
	e, rec, tp := startTraced(t, clock.System{}, "msg.bpmn", messageXML)
	createCtx, create := tp.Tracer("test").Start(ctx, "create")
	if _, err := e.CreateInstance(createCtx, engine.CreateInstanceRequest{BPMNProcessID: "msg"}); err != nil {
		t.Fatal(err)
	}
	create.End()
	pubCtx, pub := tp.Tracer("test").Start(ctx, "publish")
	if _, err := e.PublishMessage(pubCtx, engine.PublishMessageRequest{Name: "go", CorrelationKey: "k"}); err != nil {
		t.Fatal(err)
	}
	pub.End()
	for _, s := range rec.Ended() {
		if s.Name() != engine.SpanCommand+" MESSAGE PUBLISH" {
			continue
		}
		correlated := int64(-1)
		for _, a := range s.Attributes() {
			if a.Key == engine.AttrCorrelated {
				correlated = a.Value.AsInt64()
			}
		}
		if correlated != 1 || len(s.Links()) != 1 || s.Links()[0].SpanContext.TraceID() != create.SpanContext().TraceID() {
			t.Fatalf("expected one correlation linked to the creating trace %s, got %d correlations, links %+v",
				create.SpanContext().TraceID(), correlated, s.Links())
		}
		return
	}
	t.Fatal("no span for the message's publication")
}

// spanNamed waits for an ended span called name that match accepts.
func spanNamed(t *testing.T, rec *tracetest.SpanRecorder, name string, match func(sdktrace.ReadOnlySpan) bool) sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, s := range rec.Ended() {
			if s.Name() == name && match(s) {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no span %s; spans: %v", name, names(rec.Ended()))
		}
		time.Sleep(5 * time.Millisecond) // polling for the engine's loop, not waiting for time to pass
	}
}

// A message that reaches a waiting instance is a span in that instance's
// trace, linked to the span of the command that sent it; it is there
// whether or not the message's own request is traced.
func TestMessageCorrelationIsASpanInTheInstancesTrace(t *testing.T) {
	ctx := context.Background()
	e, rec, tp := startTraced(t, clock.System{}, "msg.bpmn", messageXML)
	for _, sendTraced := range []bool{true, false} {
		createCtx, create := tp.Tracer("test").Start(ctx, "create")
		ci, err := e.CreateInstance(createCtx, engine.CreateInstanceRequest{BPMNProcessID: "msg"})
		create.End()
		if err != nil {
			t.Fatal(err)
		}
		publisher := tp.Tracer("test")
		if !sendTraced { // a caller that was not sampled
			publisher = sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())).Tracer("test")
		}
		pubCtx, pub := publisher.Start(ctx, "publish")
		if _, err := e.PublishMessage(pubCtx, engine.PublishMessageRequest{Name: "go", CorrelationKey: "k"}); err != nil {
			t.Fatal(err)
		}
		pub.End()
		got := spanNamed(t, rec, engine.SpanMessageCorrelated, func(s sdktrace.ReadOnlySpan) bool {
			return s.SpanContext().TraceID() == create.SpanContext().TraceID()
		})
		var key int64
		for _, a := range got.Attributes() {
			if a.Key == engine.AttrInstanceKey {
				key = a.Value.AsInt64()
			}
		}
		if key != ci.ProcessInstanceKey {
			t.Fatalf("traced=%v: expected the instance key %d, got %d", sendTraced, ci.ProcessInstanceKey, key)
		}
		switch links := got.Links(); {
		case sendTraced && (len(links) != 1 || links[0].SpanContext.TraceID() != pub.SpanContext().TraceID()):
			t.Fatalf("expected a link to the publishing trace %s, got %+v", pub.SpanContext().TraceID(), links)
		case !sendTraced && len(links) != 0:
			t.Fatalf("an untraced message links to %+v", links)
		}
	}
}

const messageStartXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:message id="m" name="order" />
  <bpmn:process id="byMessage" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="ship" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// An instance a message starts keeps the traceparent of the publishing
// command's span and hands it to its jobs; the message kept in the
// engine's state does not carry it.
func TestMessageStartedInstanceContinuesThePublishersTrace(t *testing.T) {
	ctx := context.Background()
	e, rec, tp := startTraced(t, clock.System{}, "start.bpmn", messageStartXML)
	pubCtx, pub := tp.Tracer("test").Start(ctx, "publish")
	published, err := e.PublishMessage(pubCtx, engine.PublishMessageRequest{Name: "order", TimeToLive: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pub.End()
	command := spanNamed(t, rec, engine.SpanCommand+" MESSAGE PUBLISH", func(s sdktrace.ReadOnlySpan) bool {
		return s.Parent().SpanID() == pub.SpanContext().SpanID()
	})
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "ship", Worker: "w", Timeout: time.Minute, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %v %v", jobs, err)
	}
	want := "00-" + command.SpanContext().TraceID().String() + "-" + command.SpanContext().SpanID().String() + "-01"
	if got := jobs[0].Value.CustomHeaders[engine.HeaderTraceParent]; got != want {
		t.Fatalf("expected the job of the message-started instance to carry %s, got %q", want, got)
	}
	if err := e.Read(ctx, func(s *state.State) {
		m := s.Message(published.Key)
		if m == nil {
			t.Error("the message with a time to live is not buffered")
		} else if m.Value.TraceParent != "" {
			t.Errorf("the buffered message keeps the traceparent %q", m.Value.TraceParent)
		}
	}); err != nil {
		t.Fatal(err)
	}
}

const timerStartXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="nightly" isExecutable="true">
    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R1/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="tick" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="report" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// An instance a timer start event starts is in the trace of the timer's
// firing span: its jobs carry that span's traceparent.
func TestTimerStartedInstanceIsInTheFiringsTrace(t *testing.T) {
	ctx := context.Background()
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, rec, _ := startTraced(t, mc, "nightly.bpmn", timerStartXML)
	mc.Advance(2 * time.Hour)
	fired := spanNamed(t, rec, engine.SpanTimerTriggered, func(sdktrace.ReadOnlySpan) bool { return true })
	var jobs []engine.ActivatedJob
	deadline := time.Now().Add(10 * time.Second)
	for len(jobs) == 0 {
		var err error
		jobs, err = e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "report", Worker: "w", Timeout: time.Minute, MaxJobs: 1, RequestTimeout: -1})
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the timer started no instance")
		}
	}
	want := "00-" + fired.SpanContext().TraceID().String() + "-" + fired.SpanContext().SpanID().String() + "-01"
	if got := jobs[0].Value.CustomHeaders[engine.HeaderTraceParent]; got != want {
		t.Fatalf("expected the job of the timer-started instance to carry %s, got %q", want, got)
	}
}
