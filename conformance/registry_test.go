package conformance

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
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

// TestElementCountInDocs keeps the number docs/elements.md states equal to
// the kinds elements/standard registers, the process root aside.
func TestElementCountInDocs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "elements.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^(\d+) elements are registered`).FindSubmatch(b)
	if m == nil {
		t.Fatal(`docs/elements.md does not say "N elements are registered"`)
	}
	if got, want := string(m[1]), strconv.Itoa(len(standard.Registry().Kinds())-1); got != want {
		t.Fatalf("docs/elements.md says %s elements are registered, elements/standard registers %s kinds", got, want)
	}
}
