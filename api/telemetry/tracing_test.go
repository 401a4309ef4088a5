package telemetry

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/api/telemetry/otlptest"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolveTracing(t *testing.T) {
	on := DefaultTracing()
	on.Enabled = true
	cases := []struct {
		name    string
		cfg     Tracing
		env     map[string]string
		want    func(*Tracing)
		wantErr string
	}{
		{name: "no variables keep the configuration", cfg: on, want: func(*Tracing) {}},
		{name: "OTEL_TRACES_EXPORTER otlp turns tracing on", cfg: DefaultTracing(),
			env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, want: func(w *Tracing) { w.Enabled = true }},
		{name: "OTEL_TRACES_EXPORTER none turns configured tracing off", cfg: on,
			env: map[string]string{"OTEL_TRACES_EXPORTER": "none"}, want: func(w *Tracing) { w.Enabled = false }},
		{name: "OTEL_SDK_DISABLED wins over the exporter", cfg: on,
			env:  map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"},
			want: func(w *Tracing) { w.Enabled = false }},
		{name: "the generic endpoint gets the traces path over HTTP", cfg: on,
			env:  map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"},
			want: func(w *Tracing) { w.Endpoint = "http://collector:4318/v1/traces" }},
		{name: "the generic endpoint is taken as it is over gRPC", cfg: on,
			env:  map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"},
			want: func(w *Tracing) { w.Protocol = ProtocolGRPC; w.Endpoint = "http://collector:4317" }},
		{name: "the traces endpoint wins over the generic one", cfg: on,
			env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318",
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:4318/custom"},
			want: func(w *Tracing) { w.Endpoint = "http://b:4318/custom" }},
		{name: "the traces protocol wins over the generic one", cfg: on,
			env:  map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"},
			want: func(w *Tracing) { w.Protocol = ProtocolHTTP }},
		{name: "a ratio sampler from the environment", cfg: on,
			env:  map[string]string{"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"},
			want: func(w *Tracing) { w.Sampler = SamplerParentBasedTraceIDRatio; w.SamplerArg = 0.1 }},
		{name: "a ratio sampler without an argument samples everything", cfg: Tracing{Enabled: true, Protocol: ProtocolHTTP,
			Sampler: SamplerParentBasedTraceIDRatio, SamplerArg: 0.5, ServiceName: "x", Timeout: time.Second},
			env:  map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio"},
			want: func(w *Tracing) { w.Sampler = SamplerTraceIDRatio; w.SamplerArg = 1 }},
		{name: "service name and resource attributes", cfg: on,
			env: map[string]string{"OTEL_SERVICE_NAME": "engine-a",
				"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=prod, team=a%20b,service.name=ignored"},
			want: func(w *Tracing) {
				w.ServiceName = "engine-a"
				w.ResourceAttributes = map[string]string{"deployment.environment": "prod", "team": "a b", "service.name": "ignored"}
			}},
		{name: "an export timeout in milliseconds", cfg: on,
			env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "2500"}, want: func(w *Tracing) { w.Timeout = 2500 * time.Millisecond }},
		{name: "an unknown exporter is refused", cfg: on,
			env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: "OTEL_TRACES_EXPORTER: expected otlp or none"},
		{name: "an unknown sampler is refused", cfg: on,
			env: map[string]string{"OTEL_TRACES_SAMPLER": "sometimes"}, wantErr: "tracing sampler: expected one of"},
		{name: "a ratio above one is refused", cfg: on,
			env: map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.5"}, wantErr: "between 0 and 1"},
		{name: "a sampler argument that is no number is refused", cfg: on,
			env: map[string]string{"OTEL_TRACES_SAMPLER_ARG": "ten"}, wantErr: "OTEL_TRACES_SAMPLER_ARG: expected a number"},
		{name: "an unknown protocol is refused", cfg: on,
			env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, wantErr: "tracing protocol"},
		{name: "an endpoint that is no URL is refused", cfg: on,
			env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "collector:4318"}, wantErr: "tracing endpoint"},
		{name: "a malformed resource attribute is refused", cfg: on,
			env: map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "novalue"}, wantErr: "OTEL_RESOURCE_ATTRIBUTES: expected key=value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ResolveTracing(c.cfg, envOf(c.env))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("expected an error with %q, got %v", c.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			want := c.cfg
			c.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("expected %+v, got %+v", want, got)
			}
		})
	}
}

func TestTracingOffIsNoop(t *testing.T) {
	tp, err := NewTracerProvider(context.Background(), DefaultTracing(), "test")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("x").Start(context.Background(), "s")
	defer span.End()
	if span.IsRecording() || span.SpanContext().IsValid() {
		t.Fatalf("expected a no-op span with tracing off, got a recording or valid one")
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// exportOne starts a span under cfg and returns what the receiver got.
func exportOne(t *testing.T, cfg Tracing, spans func() []otlptest.Span) []otlptest.Span {
	t.Helper()
	ctx := context.Background()
	tp, err := NewTracerProvider(ctx, cfg, "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("test").Start(ctx, "one", trace.WithSpanKind(trace.SpanKindServer))
	span.End()
	if err := tp.Shutdown(ctx); err != nil { // flushes
		t.Fatal(err)
	}
	return spans()
}

func TestExportOverHTTPAndGRPC(t *testing.T) {
	h := otlptest.Start()
	t.Cleanup(h.Close)
	cfg, err := ResolveTracing(DefaultTracing(), envOf(map[string]string{
		"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": h.Endpoint(),
		"OTEL_SERVICE_NAME": "svc-http", "OTEL_RESOURCE_ATTRIBUTES": "env=test",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := exportOne(t, cfg, h.Spans)
	if len(got) != 1 || got[0].Name != "one" || got[0].Service != "svc-http" {
		t.Fatalf("expected one span \"one\" of svc-http over HTTP, got %+v", got)
	}

	g, err := otlptest.StartGRPC()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	cfg, err = ResolveTracing(DefaultTracing(), envOf(map[string]string{
		"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": g.Endpoint(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	got = exportOne(t, cfg, g.Spans)
	if len(got) != 1 || got[0].Name != "one" || got[0].Service != DefaultServiceName {
		t.Fatalf("expected one span \"one\" of %s over gRPC, got %+v", DefaultServiceName, got)
	}
}

func TestSamplerAlwaysOffExportsNothing(t *testing.T) {
	h := otlptest.Start()
	t.Cleanup(h.Close)
	cfg := DefaultTracing()
	cfg.Enabled, cfg.Endpoint, cfg.Sampler = true, h.Endpoint(), SamplerAlwaysOff
	if got := exportOne(t, cfg, h.Spans); len(got) != 0 {
		t.Fatalf("expected no span with always_off, got %d", len(got))
	}
}

func FuzzParseResourceAttributes(f *testing.F) {
	f.Add("a=b,c=d%20e")
	f.Add("=x")
	f.Add("k=%zz")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseResourceAttributes(s)
		if err == nil {
			for k := range m {
				if k == "" {
					t.Fatalf("empty key from %q", s)
				}
			}
		}
	})
}

func TestSettingsAreCheckedOnlyWhenTracingIsOn(t *testing.T) {
	off := Tracing{Sampler: "sometimes"}
	if _, err := ResolveTracing(off, envOf(nil)); err != nil {
		t.Fatalf("tracing off: expected its unused settings to pass, got %v", err)
	}
	if _, err := ResolveTracing(off, envOf(map[string]string{"OTEL_TRACES_EXPORTER": "otlp"})); err == nil {
		t.Fatal("tracing on: expected the bad sampler to be refused")
	}
}
