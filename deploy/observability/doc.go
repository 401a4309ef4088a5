// Package observability holds no code: it is the home of the Grafana
// dashboard, the Prometheus configuration and alert rules, and the
// OpenTelemetry Collector example for wf-engine, and of the tests that keep
// them valid and in step with docs/metrics.md. It must never be imported.
package observability
