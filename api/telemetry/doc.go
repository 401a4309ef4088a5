// Package telemetry defines every Prometheus metric the server exports, in
// one place, with units in their names and bounded labels (route templates,
// status codes, enums of the log format; process ids and job types capped
// at Options.MaxLabelValues with an "other" bucket; never keys). It must
// never read engine state on its own or change anything it observes.
//
// Work is counted from committed records (records.go): the engine's commit
// hook (Metrics.ObserveCommit) times each commit and, after it succeeded, counts
// what the batch's records say happened, so processing and replay never
// count anything. Gauges of live things come from the state's own counts
// (WatchState, read at scrape time through the function it is given); the
// rest of ops.go exports the server's operational figures. docs/metrics.md
// lists every metric; tests keep it and the registry equal.
//
// LogHandler (logging.go) is the server's slog handler: JSON (text on a
// terminal), a level changeable at run time, trace_id and span_id from the
// context's span, and lines counted by level.
//
// It also sets up traces (tracing.go): an OpenTelemetry tracer provider
// exporting over OTLP (HTTP or gRPC), configured by the telemetry.tracing
// keys with the standard OTEL_* variables over them (ResolveTracing, which
// reads the environment only through the lookup it is given), and the W3C
// trace context and baggage propagator. With tracing off the provider is a
// no-op. Subpackage otlptest is a test OTLP receiver.
package telemetry
