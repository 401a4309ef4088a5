// Command otlp-sink is an OTLP/HTTP trace receiver for local measurements:
// it accepts exports on a loopback address, decodes them
// (go.opentelemetry.io/proto/otlp), counts their spans and keeps nothing.
// On SIGINT or SIGTERM it prints the count and exits. It must never listen
// on anything but loopback: it has no authentication and is no collector.
//
//	otlp-sink -address 127.0.0.1:4318
package main
