package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/wf-engine/core/expr"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// isExprProblem reports whether a problem only says an expression did not compile.
func isExprProblem(p Problem) bool {
	return p.Err != nil && !errors.Is(p.Err, ErrNotWellFormed)
}

// parseValid parses a fixture that must have no problems.
func parseValid(t *testing.T, name string) *Definitions {
	t.Helper()
	defs, err := Parse(bytes.NewReader(readFixture(t, name)))
	if err != nil {
		t.Fatalf("%s: unexpected problems:\n%v", name, err)
	}
	return defs
}

// checkExpr compares an expression with the attribute value it was parsed
// from. FEEL values are compared on their text only; the tests never
// evaluate them.
func checkExpr(t *testing.T, what string, got *expr.Expression, want string) {
	t.Helper()
	if strings.HasPrefix(want, "=") {
		if got == nil {
			t.Errorf("%s: got nil, want FEEL %q", what, want)
			return
		}
		if got.IsStatic() || strings.TrimSpace(strings.TrimPrefix(got.Source(), "=")) != strings.TrimSpace(want[1:]) {
			t.Errorf("%s: got %q (static %v), want FEEL %q", what, got.Source(), got.IsStatic(), want)
		}
		return
	}
	if got == nil {
		t.Errorf("%s: got nil, want static %q", what, want)
		return
	}
	if !got.IsStatic() || got.Source() != want {
		t.Errorf("%s: got %q (static %v), want static %q", what, got.Source(), got.IsStatic(), want)
	}
}

// checkNil fails when an optional expression is set.
func checkNil(t *testing.T, what string, got *expr.Expression) {
	t.Helper()
	if got != nil {
		t.Errorf("%s: got %q, want nil", what, got.Source())
	}
}

func mustElement(t *testing.T, p *Process, id string) *Element {
	t.Helper()
	el := p.Element(id)
	if el == nil {
		t.Fatalf("process %s: no element %q", p.ID, id)
	}
	return el
}

func flowIDs(flows []*SequenceFlow) []string {
	ids := make([]string, len(flows))
	for i, f := range flows {
		ids[i] = f.ID
	}
	return ids
}

func elementIDs(els []*Element) []string {
	ids := make([]string, len(els))
	for i, e := range els {
		ids[i] = e.ID
	}
	return ids
}

// lineOf returns the 1-based line of the first line of data containing marker.
func lineOf(t *testing.T, data []byte, marker string) int {
	t.Helper()
	for i, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not found", marker)
	return 0
}
