// Package sim is the deterministic simulation test of the engine (issue
// 22). Its code lives in _test.go files only: no production package can
// import it, and TestNotImportedByProduction proves that no command
// depends on it either.
//
// One seed (math/rand/v2, PCG) generates a run: a list of operations that
// the runner executes on one goroutine against the real processor, state,
// appliers and engine batch code (engine.StartStepped), over a memory
// store that injects faults (commit refused, commit written but its answer
// lost, slow commit, crash before or after the commit), with restarts that
// reload from the store, a manual clock that jumps forward, clients whose
// requests and answers the simulated network delays, drops and duplicates,
// and clients that wait across batches: long polls, creates that await
// their instance's end, and reads (clients_test.go). Two or three nodes
// share the store: the one holding the lease serves, the others stand by
// in core/lease's own code, run as coroutines on a simulated real clock;
// every commit is fenced by the lease's epoch, and lease faults pause the
// holder (also in the middle of a commit), fail its renewals, kill it or
// stop it (lease_test.go). After every step the
// runner checks the invariants of check_test.go and clients_test.go; a
// failing run is shrunk to a short list of operations and written as a
// scenario file that TestScenarios replays.
//
// See docs/testing.md ("Deterministic simulation") for how to run,
// reproduce and extend it.
package sim
