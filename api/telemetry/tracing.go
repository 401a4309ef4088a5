package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// OTLP protocols a tracing exporter speaks.
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// Samplers, named as OTEL_TRACES_SAMPLER names them.
const (
	SamplerAlwaysOn                = "always_on"
	SamplerAlwaysOff               = "always_off"
	SamplerTraceIDRatio            = "traceidratio"
	SamplerParentBasedAlwaysOn     = "parentbased_always_on"
	SamplerParentBasedAlwaysOff    = "parentbased_always_off"
	SamplerParentBasedTraceIDRatio = "parentbased_traceidratio"
)

// DefaultServiceName is service.name when neither the configuration nor
// OTEL_SERVICE_NAME names one.
const DefaultServiceName = "wf-engine"

// Tracing configures traces: the telemetry.tracing.* keys, with the
// standard OTEL_* variables applied over them by ResolveTracing.
type Tracing struct {
	// Enabled turns tracing on; off, every tracer is a no-op.
	Enabled bool
	// Protocol is ProtocolHTTP or ProtocolGRPC.
	Protocol string
	// Endpoint is the collector's URL (http://host:4318 for HTTP,
	// http://host:4317 for gRPC; https for TLS). Empty: the OTLP default
	// of the protocol on localhost. For HTTP, a URL without a path gets
	// /v1/traces.
	Endpoint string
	// Sampler is one of the Sampler* names; SamplerArg is the ratio of the
	// ratio samplers, between 0 and 1.
	Sampler    string
	SamplerArg float64
	// ServiceName is the resource's service.name.
	ServiceName string
	// ResourceAttributes are more resource attributes (key=value).
	ResourceAttributes map[string]string
	// Timeout bounds one export.
	Timeout time.Duration
}

// DefaultTracing is tracing off, and when on: OTLP over HTTP to the local
// collector, every trace that its parent did not decide otherwise sampled.
func DefaultTracing() Tracing {
	return Tracing{Protocol: ProtocolHTTP, Sampler: SamplerParentBasedAlwaysOn, SamplerArg: 1,
		ServiceName: DefaultServiceName, Timeout: 10 * time.Second}
}

// ResolveTracing applies the standard OpenTelemetry environment variables
// over the configured t, as the OpenTelemetry specification orders them:
// where a variable is set, it wins. getenv looks a variable up (cmd/ passes
// os.LookupEnv; tests pass a map). It reads OTEL_SDK_DISABLED,
// OTEL_TRACES_EXPORTER (otlp or none), OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
// and OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and
// OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT and
// OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG,
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. Headers, certificates and
// compression are read by the exporter itself
// (OTEL_EXPORTER_OTLP_HEADERS and the like).
//
// OTEL_TRACES_EXPORTER=otlp turns tracing on and none turns it off;
// OTEL_SDK_DISABLED=true turns it off whatever else is set. The settings
// are validated when tracing is on; a variable that cannot be read is an
// error either way.
func ResolveTracing(t Tracing, getenv func(string) (string, bool)) (Tracing, error) {
	env := func(names ...string) (string, string, bool) {
		for _, n := range names {
			if v, ok := getenv(n); ok && strings.TrimSpace(v) != "" {
				return n, strings.TrimSpace(v), true
			}
		}
		return "", "", false
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if n, v, ok := env("OTEL_TRACES_EXPORTER"); ok {
		switch strings.ToLower(v) {
		case "otlp":
			t.Enabled = true
		case "none":
			t.Enabled = false
		default:
			bad("%s: expected otlp or none, got %q", n, v)
		}
	}
	if n, v, ok := env("OTEL_SDK_DISABLED"); ok {
		switch strings.ToLower(v) {
		case "true":
			t.Enabled = false
		case "false":
		default:
			bad("%s: expected true or false, got %q", n, v)
		}
	}
	if _, v, ok := env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"); ok {
		t.Protocol = v
	}
	if _, v, ok := env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ok {
		t.Endpoint = v
	} else if _, v, ok := env("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
		// The generic endpoint is a base URL: the HTTP exporter appends
		// the signal's path to it.
		t.Endpoint = v
		if t.Protocol == ProtocolHTTP {
			t.Endpoint = strings.TrimSuffix(v, "/") + "/v1/traces"
		}
	}
	if n, v, ok := env("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"); ok {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			bad("%s: expected a positive number of milliseconds, got %q", n, v)
		} else {
			t.Timeout = time.Duration(ms) * time.Millisecond
		}
	}
	if _, v, ok := env("OTEL_TRACES_SAMPLER"); ok {
		t.Sampler = strings.ToLower(v)
		if t.Sampler == SamplerTraceIDRatio || t.Sampler == SamplerParentBasedTraceIDRatio {
			t.SamplerArg = 1 // the specification's default when no argument is set
		}
	}
	if n, v, ok := env("OTEL_TRACES_SAMPLER_ARG"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			bad("%s: expected a number between 0 and 1, got %q", n, v)
		} else {
			t.SamplerArg = f
		}
	}
	if n, v, ok := env("OTEL_RESOURCE_ATTRIBUTES"); ok {
		attrs, err := parseResourceAttributes(v)
		if err != nil {
			bad("%s: %v", n, err)
		}
		merged := make(map[string]string, len(t.ResourceAttributes)+len(attrs))
		for k, a := range t.ResourceAttributes {
			merged[k] = a
		}
		for k, a := range attrs {
			merged[k] = a
		}
		t.ResourceAttributes = merged
	}
	if _, v, ok := env("OTEL_SERVICE_NAME"); ok {
		t.ServiceName = v
	}
	if t.Enabled {
		if err := t.Validate(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return t, errors.New(strings.Join(problems, "; "))
	}
	return t, nil
}

// Validate checks the settings of t.
func (t Tracing) Validate() error {
	var problems []string
	if t.Protocol != ProtocolHTTP && t.Protocol != ProtocolGRPC {
		problems = append(problems, fmt.Sprintf("tracing protocol: expected %s or %s, got %q", ProtocolHTTP, ProtocolGRPC, t.Protocol))
	}
	if t.Endpoint != "" {
		u, err := url.Parse(t.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, fmt.Sprintf("tracing endpoint: expected an http or https URL, got %q", t.Endpoint))
		}
	}
	switch t.Sampler {
	case SamplerAlwaysOn, SamplerAlwaysOff, SamplerParentBasedAlwaysOn, SamplerParentBasedAlwaysOff:
	case SamplerTraceIDRatio, SamplerParentBasedTraceIDRatio:
		if t.SamplerArg < 0 || t.SamplerArg > 1 {
			problems = append(problems, fmt.Sprintf("tracing sampler argument: expected a ratio between 0 and 1, got %v", t.SamplerArg))
		}
	default:
		problems = append(problems, fmt.Sprintf("tracing sampler: expected one of always_on, always_off, traceidratio, "+
			"parentbased_always_on, parentbased_always_off, parentbased_traceidratio, got %q", t.Sampler))
	}
	if strings.TrimSpace(t.ServiceName) == "" {
		problems = append(problems, "tracing service name: expected a name, got an empty one")
	}
	if t.Timeout <= 0 {
		problems = append(problems, fmt.Sprintf("tracing timeout: expected a positive duration, got %s", t.Timeout))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// parseResourceAttributes parses OTEL_RESOURCE_ATTRIBUTES: comma-separated
// key=value pairs, values percent-encoded.
func parseResourceAttributes(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("expected key=value pairs separated by commas, got %q", pair)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("decode the value of %q: %w", k, err)
		}
		out[k] = dv
	}
	return out, nil
}

// sampler returns the sampler t names.
func (t Tracing) sampler() sdktrace.Sampler {
	switch t.Sampler {
	case SamplerAlwaysOn:
		return sdktrace.AlwaysSample()
	case SamplerAlwaysOff:
		return sdktrace.NeverSample()
	case SamplerTraceIDRatio:
		return sdktrace.TraceIDRatioBased(t.SamplerArg)
	case SamplerParentBasedAlwaysOff:
		return sdktrace.ParentBased(sdktrace.NeverSample())
	case SamplerParentBasedTraceIDRatio:
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(t.SamplerArg))
	default:
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
}

// Propagator returns the propagator wf-engine reads and writes trace
// context with: W3C trace context and W3C baggage.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// TracerProvider is what NewTracerProvider returns: a provider, and the
// shutdown that flushes its spans.
type TracerProvider struct {
	trace.TracerProvider
	shutdown func(context.Context) error
}

// Shutdown exports the spans still buffered and stops the exporter; for a
// no-op provider it does nothing.
func (p *TracerProvider) Shutdown(ctx context.Context) error {
	if p.shutdown == nil {
		return nil
	}
	if err := p.shutdown(ctx); err != nil {
		return fmt.Errorf("shut the tracer provider down: %w", err)
	}
	return nil
}

// NewTracerProvider returns the tracer provider t configures: with tracing
// off a no-op provider, which costs nothing; on, an SDK provider that
// batches spans to an OTLP exporter. version is service.version. Creating
// the exporter does not connect: an unreachable collector loses spans, it
// never stops the engine.
func NewTracerProvider(ctx context.Context, t Tracing, version string) (*TracerProvider, error) {
	if !t.Enabled {
		return &TracerProvider{TracerProvider: noop.NewTracerProvider()}, nil
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	exp, err := newExporter(ctx, t)
	if err != nil {
		return nil, err
	}
	res, err := resource.Merge(resource.Default(), resource.NewWithAttributes(semconv.SchemaURL, t.resourceAttributes(version)...))
	if err != nil {
		// Only conflicting schema URLs fail; ours stands alone then.
		res = resource.NewWithAttributes(semconv.SchemaURL, t.resourceAttributes(version)...)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithSampler(t.sampler()),
		sdktrace.WithResource(res),
	)
	return &TracerProvider{TracerProvider: tp, shutdown: tp.Shutdown}, nil
}

// resourceAttributes are service.name, service.version and the configured
// attributes, sorted by key.
func (t Tracing) resourceAttributes(version string) []attribute.KeyValue {
	keys := make([]string, 0, len(t.ResourceAttributes))
	for k := range t.ResourceAttributes {
		if k != string(semconv.ServiceNameKey) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	attrs := []attribute.KeyValue{semconv.ServiceName(t.ServiceName)}
	if version != "" {
		attrs = append(attrs, semconv.ServiceVersion(version))
	}
	for _, k := range keys {
		attrs = append(attrs, attribute.String(k, t.ResourceAttributes[k]))
	}
	return attrs
}

// newExporter returns the OTLP exporter of t's protocol.
func newExporter(ctx context.Context, t Tracing) (sdktrace.SpanExporter, error) {
	switch t.Protocol {
	case ProtocolGRPC:
		opts := []otlptracegrpc.Option{otlptracegrpc.WithTimeout(t.Timeout)}
		if t.Endpoint != "" {
			opts = append(opts, otlptracegrpc.WithEndpointURL(t.Endpoint))
		}
		exp, err := otlptracegrpc.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("create the OTLP gRPC trace exporter: %w", err)
		}
		return exp, nil
	default:
		opts := []otlptracehttp.Option{otlptracehttp.WithTimeout(t.Timeout)}
		if t.Endpoint != "" {
			u, _ := url.Parse(t.Endpoint) // Validate parsed it
			if u.Path == "" || u.Path == "/" {
				u.Path = "/v1/traces"
			}
			opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
		}
		exp, err := otlptracehttp.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("create the OTLP HTTP trace exporter: %w", err)
		}
		return exp, nil
	}
}
