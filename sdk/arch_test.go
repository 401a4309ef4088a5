package sdk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/example/wf-engine"

// forbidden are the engine's trees the SDK must not depend on.
var forbidden = []string{module + "/core", module + "/api", module + "/cmd"}

// exempt are SDK packages allowed to embed the engine: sdk/processtest runs
// an engine in process for tests of user models; it is the only one.
var exempt = []string{module + "/sdk/processtest"}

// mustCheck are the packages that must exist and be checked.
var mustCheck = []string{module + "/sdk/client", module + "/sdk/worker", module + "/sdk/connector"}

// listed is what go list says of one package.
type listed struct {
	ImportPath string
	Imports    []string
	Standard   bool
	DepOnly    bool
}

// goList runs go list -e -deps -json on patterns: the packages and all their
// non-test dependencies.
func goList(t *testing.T, patterns ...string) map[string]listed {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-e", "-deps", "-json"}, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", patterns, err, stderr.String())
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("read go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// violations returns, for each root, the import chain to a forbidden
// package it depends on ("" when none).
func violations(pkgs map[string]listed, roots []string) map[string]string {
	out := map[string]string{}
	for _, root := range roots {
		// Breadth-first, so that the chain reported is a shortest one.
		prev := map[string]string{root: ""}
		queue := []string{root}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if isForbidden(p) {
				chain := []string{p}
				for q := prev[p]; q != ""; q = prev[q] {
					chain = append(chain, q)
				}
				slices.Reverse(chain)
				out[root] = strings.Join(chain, " → ")
				break
			}
			for _, imp := range pkgs[p].Imports {
				if _, seen := prev[imp]; !seen {
					prev[imp] = p
					queue = append(queue, imp)
				}
			}
		}
	}
	return out
}

func isForbidden(path string) bool {
	for _, f := range forbidden {
		if path == f || strings.HasPrefix(path, f+"/") {
			return true
		}
	}
	return false
}

func isExempt(path string) bool {
	for _, e := range exempt {
		if path == e || strings.HasPrefix(path, e+"/") {
			return true
		}
	}
	return false
}

// TestSDKDoesNotImportTheEngine checks every SDK package (test files
// excepted: they may start a real engine with api/resttest) but
// sdk/processtest.
func TestSDKDoesNotImportTheEngine(t *testing.T) {
	pkgs := goList(t, "./...")
	var roots []string
	for path, p := range pkgs {
		if !p.DepOnly && strings.HasPrefix(path, module+"/sdk") && !isExempt(path) {
			roots = append(roots, path)
		}
	}
	slices.Sort(roots)
	for _, want := range mustCheck {
		if !slices.Contains(roots, want) {
			t.Errorf("%s was not checked (checked: %v)", want, roots)
		}
	}
	for root, chain := range violations(pkgs, roots) {
		t.Errorf("%s depends on the engine: %s", root, chain)
	}
}

// TestTheCheckFindsEngineImports makes sure the check can fail: the
// standard element set is built on core/, and the check says so.
func TestTheCheckFindsEngineImports(t *testing.T) {
	root := module + "/elements/standard"
	pkgs := goList(t, root)
	chain := violations(pkgs, []string{root})[root]
	if !strings.HasPrefix(chain, root+" → ") || !isForbidden(chain[len(root)+len(" → "):]) {
		t.Fatalf("the check found no engine import in %s (chain %q)", root, chain)
	}
}
