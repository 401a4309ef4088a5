// Package telemetry defines every Prometheus metric the server exports, in
// one place, with units in their names and bounded labels (route templates,
// status codes, job types from deployed models; never keys). It also wraps
// a store to time its commits. It must never read engine state on its own
// or change anything it observes.
//
// It also sets up traces (tracing.go): an OpenTelemetry tracer provider
// exporting over OTLP (HTTP or gRPC), configured by the telemetry.tracing
// keys with the standard OTEL_* variables over them (ResolveTracing, which
// reads the environment only through the lookup it is given), and the W3C
// trace context and baggage propagator. With tracing off the provider is a
// no-op. Subpackage otlptest is a test OTLP receiver.
package telemetry
