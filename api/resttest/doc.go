// Package resttest starts a real wf-engine REST server inside a test: an
// engine on the in-memory store (or SQLite) behind the Camunda v2 routes on a
// loopback listener. The SDK, CLI and connector tests talk to it over HTTP as
// they would to a deployed engine.
//
// It is for tests only and must never be imported by production code.
package resttest
