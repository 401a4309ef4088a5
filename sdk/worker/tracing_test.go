package worker_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/sdk/worker"
)

func TestSpansContinueTheInstanceTrace(t *testing.T) {
	e := start(t)
	e.deploy(t, "charge.bpmn", "traced.bpmn")
	const (
		varTraceID  = "4bf92f3577b34da6a3ce929d0e0e4736"
		varSpanID   = "00f067aa0ba902b7"
		headTraceID = "0af7651916cd43dd8448eb211c80319c" // in traced.bpmn
		headSpanID  = "b7ad6b7169203331"
	)
	fromVariable := e.create(t, "sdk-charge", map[string]any{"traceparent": "00-" + varTraceID + "-" + varSpanID + "-01", "fail": false})
	untraced := e.create(t, "sdk-charge", map[string]any{"fail": true})
	fromHeader := e.create(t, "sdk-traced", nil)

	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	handler := worker.HandlerFunc(func(ctx context.Context, job worker.Job) (any, error) {
		// The handler's context carries the job's span, for child spans.
		if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
			return nil, errors.New("no span in the handler's context")
		}
		var in struct{ Fail bool }
		if err := job.VariablesAs(&in); err != nil {
			return nil, err
		}
		if in.Fail {
			return nil, worker.NoRetries(errors.New("refused"))
		}
		return nil, nil
	})
	// Fetching only "fail" must still fetch traceparent.
	// Run's context holds a span of the application; jobs without a
	// traceparent must not join it.
	appCtx, appSpan := tp.Tracer("app").Start(context.Background(), "app")
	defer appSpan.End()
	runWith(t, worker.New(e.c, "sdk-charge", handler, worker.WithTracerProvider(tp), worker.WithFetchVariables("fail"), worker.WithName("tracer"), quiet(), fast()), appCtx)
	run(t, worker.New(e.c, "sdk-traced", handler, worker.WithTracerProvider(tp), quiet(), fast()))

	byInstance := map[string]sdktrace.ReadOnlySpan{}
	eventually(t, "three spans end", func() bool {
		for _, s := range rec.Ended() {
			byInstance[attr(s, worker.AttrProcessInstanceKey)] = s
		}
		return len(byInstance) == 3
	})

	s := byInstance[strconv.FormatInt(fromVariable, 10)]
	if s.Name() != "job sdk-charge" || s.SpanKind() != trace.SpanKindConsumer {
		t.Fatalf("span %q of kind %v", s.Name(), s.SpanKind())
	}
	if got := s.Parent(); got.TraceID().String() != varTraceID || got.SpanID().String() != varSpanID || !got.IsRemote() {
		t.Fatalf("traceparent variable: parent %v", got)
	}
	if s.SpanContext().TraceID().String() != varTraceID {
		t.Fatalf("the span is in trace %s, want %s", s.SpanContext().TraceID(), varTraceID)
	}
	if attr(s, worker.AttrOutcome) != "completed" || attr(s, worker.AttrWorker) != "tracer" || attr(s, worker.AttrJobType) != "sdk-charge" ||
		attr(s, worker.AttrElementID) != "charge" || attr(s, worker.AttrJobKey) == "" || s.Status().Code == codes.Error {
		t.Fatalf("attributes %v, status %v", s.Attributes(), s.Status())
	}

	h := byInstance[strconv.FormatInt(fromHeader, 10)]
	if got := h.Parent(); got.TraceID().String() != headTraceID || got.SpanID().String() != headSpanID {
		t.Fatalf("traceparent header: parent %v", got)
	}

	u := byInstance[strconv.FormatInt(untraced, 10)]
	if u.Parent().IsValid() {
		t.Fatalf("a job without a traceparent got parent %v", u.Parent())
	}
	if u.Status().Code != codes.Error || u.Status().Description != "refused" || attr(u, worker.AttrOutcome) != "failed" {
		t.Fatalf("failed job's span: status %v, outcome %s", u.Status(), attr(u, worker.AttrOutcome))
	}
}

func attr(s sdktrace.ReadOnlySpan, k attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == k {
			return kv.Value.String()
		}
	}
	return ""
}
