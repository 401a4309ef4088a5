package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/api/telemetry/otlptest"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/syncbuf"
	"github.com/example/wf-engine/sdk/client"
	"github.com/example/wf-engine/sdk/worker"
)

func TestOTELVariablesAreNotRefusedAndApplyOverTheKeys(t *testing.T) {
	cfg, err := loadConfig(flagSet(), environ(
		"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318", "OTEL_SERVICE_NAME=engine-a",
		"OTEL_SOME_FUTURE_VARIABLE=x", "WF_TELEMETRY_TRACING_SAMPLING_RATIO=0.1", "WF_TELEMETRY_TRACING_PROTOCOL=grpc",
		"OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf"))
	if err != nil {
		t.Fatalf("OTEL_* variables must not count as unknown WF_ variables: %v", err)
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.Telemetry.Tracing.Enabled || cfg.Telemetry.Tracing.SamplingRatio != 0.1 || cfg.Telemetry.Tracing.Protocol != "grpc" {
		t.Fatalf("the keys: %+v", cfg.Telemetry.Tracing)
	}
	got, err := cfg.Telemetry.Tracing.resolved()
	if err != nil {
		t.Fatal(err)
	}
	if !got.Enabled || got.Protocol != telemetry.ProtocolHTTP || got.Endpoint != "http://collector:4318/v1/traces" ||
		got.ServiceName != "engine-a" || got.Sampler != telemetry.SamplerParentBasedTraceIDRatio || got.SamplerArg != 0.1 {
		t.Fatalf("expected OTEL_* over the keys (on, HTTP, the collector, engine-a, parent-based 10 %%), got %+v", got)
	}

	if _, err := loadConfig(flagSet(), environ("WF_TELEMETRY_TRACING_BOGUS=1")); err == nil || !strings.Contains(err.Error(), "WF_TELEMETRY_TRACING_BOGUS") {
		t.Fatalf("an unknown WF_ variable must still be refused, got %v", err)
	}
	for _, c := range []struct {
		name, want string
		env        []string
	}{
		{"a sampling ratio above one", "telemetry.tracing.sampling_ratio", []string{"WF_TELEMETRY_TRACING_SAMPLING_RATIO=2"}},
		{"an unknown sampler", "tracing sampler", []string{"OTEL_TRACES_EXPORTER=otlp", "OTEL_TRACES_SAMPLER=sometimes"}},
		{"an unknown protocol key", "tracing protocol", []string{"WF_TELEMETRY_TRACING_ENABLED=true", "WF_TELEMETRY_TRACING_PROTOCOL=udp"}},
		{"an endpoint that is no URL", "tracing endpoint", []string{"WF_TELEMETRY_TRACING_ENABLED=true", "WF_TELEMETRY_TRACING_ENDPOINT=collector:4318"}},
		{"a sampler argument that is no number", "OTEL_TRACES_SAMPLER_ARG", []string{"OTEL_TRACES_SAMPLER_ARG=ten"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadConfig(flagSet(), environ(c.env...))
			if err == nil {
				err = cfg.validate()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("expected an error naming %q, got %v", c.want, err)
			}
		})
	}
	d := defaultConfig().Telemetry.Tracing
	if d.Enabled {
		t.Fatal("tracing must be off by default")
	}
}

const tracedW1 = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="traced" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task"><bpmn:extensionElements><zeebe:taskDefinition type="traced-work" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`

// One trace runs from the request that creates an instance through the
// engine, the job's activation and the worker's handler to the job's
// completion, received by an OTLP collector, with no variable value in
// any attribute.
func TestOneTraceFromCreateToCompletion(t *testing.T) {
	recv := otlptest.Start()
	t.Cleanup(recv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	out := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--http.address", "127.0.0.1:0"}, environ("WF_DATABASE_DATA_DIR="+t.TempDir(),
			"OTEL_TRACES_EXPORTER=otlp", "OTEL_EXPORTER_OTLP_ENDPOINT="+recv.Endpoint(), "OTEL_SERVICE_NAME=engine-under-test"), out, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}

	// The caller and the worker are another service with its own provider.
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(recv.Endpoint()+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	appTP := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("app"))))
	c, err := client.New("http://"+addr, client.WithTracerProvider(appTP))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deploy(ctx, client.DeployRequest{Resources: []client.Resource{{Name: "traced.bpmn", Content: []byte(tracedW1)}}}); err != nil {
		t.Fatal(err)
	}
	const secretIn, secretOut = "s3cr3t-input-value", "s3cr3t-output-value"
	callerCtx, caller := appTP.Tracer("test").Start(ctx, "caller")
	created, err := c.CreateProcessInstance(callerCtx, client.CreateProcessInstanceRequest{ProcessDefinitionID: "traced",
		Variables: map[string]any{"card": secretIn}})
	caller.End()
	if err != nil {
		t.Fatal(err)
	}
	handled := make(chan struct{})
	w := worker.New(c, "traced-work", worker.HandlerFunc(func(context.Context, worker.Job) (any, error) {
		defer close(handled)
		return map[string]any{"receipt": secretOut}, nil
	}), worker.WithTracerProvider(appTP), worker.WithPollTimeout(time.Second))
	wctx, stopWorker := context.WithCancel(ctx)
	werr := make(chan error, 1)
	go func() { werr <- w.Run(wctx) }()
	select {
	case <-handled:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker got no job")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pi, err := c.GetProcessInstance(ctx, created.ProcessInstanceKey)
		if err == nil && pi.State == "COMPLETED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance did not complete: %+v %v", pi, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the engine's answer, not waiting for time to pass
	}
	stopWorker()
	if err := <-werr; err != nil {
		t.Fatalf("worker: %v", err)
	}
	_ = appTP.Shutdown(ctx)
	cancel() // the engine flushes its spans on shutdown
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v\n%s", err, out)
	}

	spans := recv.Spans()
	for _, s := range spans {
		for k, v := range s.Attributes {
			if strings.Contains(v, secretIn) || strings.Contains(v, secretOut) {
				t.Fatalf("span %q attribute %s holds a variable's value", s.Name, k)
			}
		}
	}
	trace := caller.SpanContext().TraceID().String()
	byID := map[string]otlptest.Span{}
	var inTrace []otlptest.Span
	for _, s := range spans {
		if s.TraceID == trace {
			byID[s.SpanID] = s
			inTrace = append(inTrace, s)
		}
	}
	// find returns the one span of the trace named name whose parent is
	// parent ("" for any parent).
	find := func(name, service, parent string) otlptest.Span {
		t.Helper()
		var found []otlptest.Span
		for _, s := range inTrace {
			if s.Name == name && s.Service == service && (parent == "" || s.ParentSpanID == parent) {
				found = append(found, s)
			}
		}
		if len(found) != 1 {
			var names []string
			for _, s := range inTrace {
				names = append(names, s.Service+":"+s.Name+" parent "+byID[s.ParentSpanID].Name)
			}
			t.Fatalf("expected one span %q of %s under %q, got %d; the trace:\n  %s", name, service, byID[parent].Name, len(found),
				strings.Join(names, "\n  "))
		}
		return found[0]
	}
	const eng, app = "engine-under-test", "app"
	callerID := caller.SpanContext().SpanID().String()
	createClient := find("POST /v2/process-instances", app, callerID)
	createServer := find("POST /v2/process-instances", eng, createClient.SpanID)
	if createServer.Kind != tracepb.Span_SPAN_KIND_SERVER || createServer.Attributes["http.route"] != "/v2/process-instances" ||
		createServer.Attributes["http.response.status_code"] != "200" || createServer.Attributes["wf.principal.roles"] != "admin" {
		t.Fatalf("the create request's span: %+v", createServer)
	}
	command := find(engine.SpanCommand+" PROCESS_INSTANCE_CREATION CREATE", eng, createServer.SpanID)
	find(engine.SpanCommit, eng, command.SpanID)
	if command.Attributes[string(engine.AttrQueuedMs)] == "" || command.Attributes[string(engine.AttrBatchCommands)] == "" {
		t.Fatalf("the command's span has no queue time or batch size: %+v", command.Attributes)
	}
	activated := find(engine.SpanJobActivated, eng, command.SpanID)
	if len(activated.Links) != 1 || activated.Attributes["wf.job.type"] != "traced-work" {
		t.Fatalf("the job's activation: expected a link to the activation request and the job type, got %+v", activated)
	}
	if link := activated.Links[0]; link.TraceID == trace {
		t.Fatalf("the activation request belongs to the worker's polling, not to the instance's trace: %+v", link)
	}
	job := find(worker.SpanPrefix+"traced-work", app, command.SpanID)
	if job.Attributes["wf.job.outcome"] != "completed" {
		t.Fatalf("the worker's span: %+v", job)
	}
	completeClient := find("POST /v2/jobs/{key}/completion", app, job.SpanID)
	completeServer := find("POST /v2/jobs/:jobKey/completion", eng, completeClient.SpanID)
	completeCommand := find(engine.SpanCommand+" JOB COMPLETE", eng, completeServer.SpanID)
	find(engine.SpanCommit, eng, completeCommand.SpanID)
	if len(recv.Spans()) == len(inTrace) {
		t.Fatal("expected the worker's activation polls in traces of their own")
	}
}
