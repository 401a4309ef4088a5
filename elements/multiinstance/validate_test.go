package multiinstance_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/conformance"
)

// Each invalid model is rejected for the reason it was written for.
func TestValidateReasons(t *testing.T) {
	for file, want := range map[string]string{
		"no-input-collection":     "element 'each': attribute 'inputCollection': missing",
		"static-input-collection": "element 'each': attribute 'inputCollection': expected an expression starting with '=', but found the static value 'items'",
		"output-without-element":  "element 'each': attribute 'outputElement': missing: an outputCollection needs an outputElement expression",
		"loop-cardinality":        "element 'each': unsupported loopCardinality",
		"inner-invalid":           "element 'each': attribute 'zeebe:taskDefinition type': missing",
	} {
		t.Run(file, func(t *testing.T) {
			_, err := conformance.DeployFile(t, filepath.Join("testdata", "invalid", file+".bpmn"))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("deploy: got %v, want a rejection containing %q", err, want)
			}
		})
	}
}
