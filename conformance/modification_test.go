package conformance

import "testing"

// TestModificationScenarios runs the process instance modification
// scenarios: activations ahead, in joins and in subprocesses without an
// instance, terminations that end their scope, and every refused case.
func TestModificationScenarios(t *testing.T) {
	RunScenarios(t, "testdata/modification")
}
