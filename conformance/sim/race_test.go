//go:build race

package sim

// raceEnabled: the race detector slows the simulator about tenfold, so
// TestSim runs a smaller budget under it (make test-sim runs the full one
// without it).
const raceEnabled = true
