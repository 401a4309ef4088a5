package adhocsubprocess_test

import (
	"testing"

	"github.com/example/wf-engine/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunScenarios(t, "testdata")
}
