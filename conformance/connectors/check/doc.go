// Package check holds the connector contract checks that need no testing
// package: each takes a connector.Connector, exercises one rule of the
// contract and returns an error that says what was expected and what
// happened. The connector suite (conformance/connectors) runs them under
// go test, and `wf-engine plugin check` runs the ones that need no
// per-connector input against a plugin binary. It must never import the
// testing package or the engine (core/, api/), because wf-engine links it.
package check
