// Package hatest holds the PostgreSQL high-availability test (docs/ha.md):
// it builds a primary and a synchronous hot standby of the installed
// PostgreSQL 15 in temporary directories on loopback ports, runs an engine
// and its REST API on a multi-host URL under load, stops the primary hard,
// promotes the standby, and checks that the engine resumed on it and that
// nothing it acknowledged was lost or applied twice. The package has no
// code besides its tests.
package hatest
