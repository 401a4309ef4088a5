// Package connector is the contract between wf-engine and a connector: the
// code that does one kind of I/O (an HTTP call, a mail, a queue message) for a
// job. A connector describes itself, executes one request at a time per call,
// and answers with a result, a BPMN error or a failure. The same contract
// serves built-in connectors, which run inside wf-engine, and plugins, which
// run as separate processes (see Serve). Across the process boundary the
// caller's trace context travels as gRPC metadata (W3C traceparent,
// tracestate, baggage) and reaches the connector's ctx in the plugin.
//
// This package must never import the engine (core/, api/, cmd/): a connector
// author builds against it alone, and a plugin binary carries no server code.
package connector
