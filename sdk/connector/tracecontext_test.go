package connector_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/sdk/connector"
)

func TestTraceContextCrossesThePluginBoundary(t *testing.T) {
	got := make(chan trace.SpanContext, 1)
	cl := pluginPair(t, fn(func(ctx context.Context, _ connector.Request) (connector.Result, error) {
		got <- trace.SpanContextFromContext(ctx)
		return connector.Result{}, nil
	}))
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sent)
	if _, err := cl.Execute(ctx, connector.Request{JobKey: 1}); err != nil {
		t.Fatal(err)
	}
	sc := <-got
	if sc.TraceID() != tid || sc.SpanID() != sid || !sc.IsSampled() || !sc.IsRemote() {
		t.Fatalf("expected the plugin side to continue span %s of trace %s (sampled, remote), got %+v", sid, tid, sc)
	}

	if _, err := cl.Execute(context.Background(), connector.Request{JobKey: 2}); err != nil {
		t.Fatal(err)
	}
	if sc := <-got; sc.IsValid() {
		t.Fatalf("expected no trace context without one in the call, got %+v", sc)
	}
}
