package conformance

import "testing"

// TestMigrationScenarios runs the process instance migration scenarios:
// instances waiting at a service task, a timer catch event, a message
// catch event, a user task and inside a subprocess move to a new version
// and finish there, and every refused case.
func TestMigrationScenarios(t *testing.T) {
	RunScenarios(t, "testdata/migration")
}
