package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/wf-engine/api/telemetry"
)

// TracingConfig configures OpenTelemetry traces (telemetry.tracing.*). The
// standard OTEL_* variables are applied over it where they are set (see
// telemetry.ResolveTracing): OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL,
// OTEL_TRACES_SAMPLER and _ARG, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER and OTEL_SDK_DISABLED.
type TracingConfig struct {
	// Enabled turns tracing on (default off: no-op tracers, no cost).
	Enabled bool `koanf:"enabled"`
	// Protocol is the OTLP protocol: http/protobuf (default) or grpc.
	Protocol string `koanf:"protocol"`
	// Endpoint is the collector's URL; empty: the protocol's default on
	// localhost (http://localhost:4318/v1/traces, localhost:4317).
	Endpoint string `koanf:"endpoint"`
	// SamplingRatio is the share of new traces sampled (0 to 1); a trace
	// whose caller sent a sampled or unsampled traceparent follows its
	// parent's decision.
	SamplingRatio float64 `koanf:"sampling_ratio"`
	// ServiceName is the resource's service.name (default wf-engine).
	ServiceName string `koanf:"service_name"`

	// otel holds the OTEL_* variables of the environment the
	// configuration was loaded from; resolved() applies them.
	otel map[string]string
}

func defaultTracingConfig() TracingConfig {
	d := telemetry.DefaultTracing()
	return TracingConfig{Protocol: d.Protocol, SamplingRatio: 1, ServiceName: d.ServiceName}
}

// tracingFlags declares the telemetry.tracing.* flags.
func tracingFlags(fs *pflag.FlagSet, d TracingConfig) {
	fs.Bool("telemetry.tracing.enabled", d.Enabled, "export OpenTelemetry traces over OTLP (OTEL_* variables apply over these keys)")
	fs.String("telemetry.tracing.protocol", d.Protocol, "OTLP protocol: http/protobuf or grpc")
	fs.String("telemetry.tracing.endpoint", d.Endpoint, "OTLP collector URL (empty: the protocol's default on localhost)")
	fs.Float64("telemetry.tracing.sampling_ratio", d.SamplingRatio, "share of new traces sampled, 0 to 1 (parent-based)")
	fs.String("telemetry.tracing.service_name", d.ServiceName, "service.name of the traces")
}

// otelEnv picks the OTEL_* variables out of an environment. The loader's
// refusal of unknown WF_* variables never sees them.
func otelEnv(environ []string) map[string]string {
	out := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, "OTEL_") {
			out[k] = v
		}
	}
	return out
}

// resolved returns the tracing settings: the keys, then the OTEL_*
// variables over them.
func (c TracingConfig) resolved() (telemetry.Tracing, error) {
	t := telemetry.DefaultTracing()
	t.Enabled, t.Protocol, t.Endpoint, t.ServiceName = c.Enabled, c.Protocol, c.Endpoint, c.ServiceName
	t.Sampler, t.SamplerArg = telemetry.SamplerParentBasedAlwaysOn, 1
	if c.SamplingRatio < 1 {
		t.Sampler, t.SamplerArg = telemetry.SamplerParentBasedTraceIDRatio, c.SamplingRatio
	}
	return telemetry.ResolveTracing(t, func(k string) (string, bool) { v, ok := c.otel[k]; return v, ok })
}

// validate checks the telemetry.tracing keys with the OTEL_* variables
// applied.
func (c TracingConfig) validate(add func(format string, args ...any)) {
	if c.SamplingRatio < 0 || c.SamplingRatio > 1 {
		add("telemetry.tracing.sampling_ratio: expected a ratio between 0 and 1, got %v", c.SamplingRatio)
		return
	}
	if _, err := c.resolved(); err != nil {
		add("telemetry.tracing: %v", err)
	}
}

// startTracing builds the tracer provider and makes it, with the W3C trace
// context and baggage propagator, the process's global one (the connector
// runtime uses the globals). With tracing off it returns a nil provider:
// the engine and the API then make no spans at all. The returned stop
// flushes the spans still buffered.
func startTracing(ctx context.Context, c TracingConfig, log *slog.Logger) (trace.TracerProvider, func(), error) {
	t, err := c.resolved()
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry.tracing: %w", err)
	}
	if !t.Enabled {
		return nil, func() {}, nil
	}
	tp, err := telemetry.NewTracerProvider(ctx, t, version)
	if err != nil {
		return nil, nil, fmt.Errorf("start tracing: %w", err)
	}
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(telemetry.Propagator())
	log.Info("tracing on", "protocol", t.Protocol, "endpoint", t.Endpoint, "sampler", t.Sampler, "sampler_arg", t.SamplerArg,
		"service_name", t.ServiceName)
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(sctx); err != nil {
			log.Warn("flush traces", "error", err)
		}
	}
	return tp, stop, nil
}
