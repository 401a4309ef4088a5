// Package conformance holds the suites that every implementation of a
// contract must pass: the scenario interpreter that drives the engine from
// readable text files, the element suite run against every registered
// element, and the corpus runs. It is test support: production code must
// never import it.
package conformance
