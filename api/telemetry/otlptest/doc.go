// Package otlptest holds OTLP trace receivers for tests and benchmarks, over
// HTTP (Start, or a Receiver served on a listener of the caller's) and gRPC
// (StartGRPC): they decode each export (protobuf,
// go.opentelemetry.io/proto/otlp) and keep its spans, so that a test can
// assert which spans a run produced, their parents, links and attributes.
// Start and StartGRPC listen on 127.0.0.1 only. It must never be used
// outside tests and local measurements: it authenticates nobody.
package otlptest
