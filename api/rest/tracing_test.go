package rest_test

import (
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/core/store/memstore"
)

func TestRequestSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	c := start(t, memstore.New(memstore.Options{}), rest.Config{Tracing: rest.Tracing{Provider: tp}})
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if r := c.send(http.MethodGet, "/v2/topology", nil, "traceparent", parent); r.status != http.StatusOK {
		t.Fatalf("topology: %d %s", r.status, r.body)
	}
	const secret = "s3cr3t-variable-value"
	r := c.post("/v2/process-instances", map[string]any{"processDefinitionId": "missing", "variables": map[string]any{"token": secret}})
	if r.status != http.StatusNotFound {
		t.Fatalf("create of a missing process: %d %s", r.status, r.body)
	}
	spans := rec.Ended()
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = s
		for _, a := range s.Attributes() {
			if strings.Contains(a.Value.String(), secret) {
				t.Fatalf("span %s attribute %s holds a variable's value", s.Name(), a.Key)
			}
		}
	}
	topo := byName["GET /v2/topology"]
	if topo == nil {
		t.Fatalf("expected a span named by the route, got %d spans", len(spans))
	}
	if topo.SpanKind() != trace.SpanKindServer || topo.Parent().TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" ||
		topo.Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("expected a server span continuing the caller's traceparent, got kind %v parent %v", topo.SpanKind(), topo.Parent())
	}
	want := map[string]string{"http.request.method": "GET", "http.route": "/v2/topology", "http.response.status_code": "200", "wf.principal.roles": "admin"}
	got := map[string]string{}
	for _, a := range topo.Attributes() {
		got[string(a.Key)] = a.Value.String()
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("attribute %s: expected %q, got %q (all: %v)", k, v, got[k], got)
		}
	}
	create := byName["POST /v2/process-instances"]
	if create == nil || create.Parent().IsValid() {
		t.Fatalf("expected a root span for the create without traceparent, got %v", create)
	}
}
