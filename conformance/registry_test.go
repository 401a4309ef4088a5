package conformance

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/example/wf-engine/elements/standard"
)

const module = "github.com/example/wf-engine/"

// TestEveryRegisteredElementHasScenarios fails when a registered element's
// handler package has no scenario files or no conformance test running them.
func TestEveryRegisteredElementHasScenarios(t *testing.T) {
	reg := standard.Registry()
	for _, k := range reg.Kinds() {
		h, _ := reg.Handler(k)
		pkg := reflect.TypeOf(h).PkgPath()
		if !strings.HasPrefix(pkg, module) {
			t.Errorf("kind %s: handler %T lives outside the module", k, h)
			continue
		}
		dir := filepath.Join("..", strings.TrimPrefix(pkg, module))
		files, _ := filepath.Glob(filepath.Join(dir, "testdata", "*.txt"))
		if len(files) == 0 {
			t.Errorf("kind %s: handler package %s has no scenario files in testdata/", k, dir)
		}
		b, err := os.ReadFile(filepath.Join(dir, "conformance_test.go")) // #nosec G304 -- repository path
		if err != nil || !strings.Contains(string(b), "conformance.RunScenarios") {
			t.Errorf("kind %s: handler package %s has no conformance_test.go running its scenarios", k, dir)
		}
	}
}
