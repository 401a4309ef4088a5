package engine_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The kernel (core/engine, core/state) offers mechanisms and never
// branches on an element's kind: what is special about an element is a
// capability its handler implements (core/element). This test reads the
// kernel's sources and fails on anything that names a BPMN element kind,
// a Camunda element or event type, or a modeler's element id prefix.
func TestKernelNamesNoElementKind(t *testing.T) {
	banned := elementNames(t)
	idPrefix := regexp.MustCompile(`^[A-Z][A-Za-z]*_$`) // "Gateway_", "Activity_", "StartEvent_"
	for _, dir := range []string{".", "../state"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			for _, v := range violations(t, path, nil, banned, idPrefix) {
				t.Error(v)
			}
		}
	}
}

// A kernel file that names an element kind, type or id prefix is caught.
func TestKernelBoundaryCheckCatches(t *testing.T) {
	src := `package engine
func f(el *model.Element) bool {
	if el.Kind == model.KindEventBasedGateway { return true }
	return el.BPMNEventType == "TERMINATE" || strings.HasPrefix(el.ID, "Gateway_")
}`
	got := violations(t, "bad.go", src, elementNames(t), regexp.MustCompile(`^[A-Z][A-Za-z]*_$`))
	if len(got) != 3 {
		t.Fatalf("violations = %q, want 3 (a kind, a type, an id prefix)", got)
	}
}

// violations lists what a source file names that the kernel must not.
func violations(t *testing.T, path string, src any, banned map[string]bool, idPrefix *regexp.Regexp) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Name == "model" && strings.HasPrefix(x.Sel.Name, "Kind") && x.Sel.Name != "Kind" {
				out = append(out, fmt.Sprintf("%s names the element kind model.%s: make it a handler capability", fset.Position(x.Pos()), x.Sel.Name))
			}
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				return true
			}
			if banned[s] {
				out = append(out, fmt.Sprintf("%s names the element type %q: make it a handler capability or a model name", fset.Position(x.Pos()), s))
			}
			if idPrefix.MatchString(s) {
				out = append(out, fmt.Sprintf("%s names the element id prefix %q", fset.Position(x.Pos()), s))
			}
		}
		return true
	})
	return out
}

// elementNames reads core/model/kinds.go: every kind's value ("startEvent:timer"),
// its element part ("startEvent") and the Camunda names of both parts
// ("START_EVENT", "TIMER").
func elementNames(t *testing.T) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../model/kinds.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	add := func(s string) {
		if s == "" {
			return
		}
		out[s] = true
		out[upperSnake(s)] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		v, ok := n.(*ast.ValueSpec)
		if !ok || len(v.Names) == 0 || !strings.HasPrefix(v.Names[0].Name, "Kind") {
			return true
		}
		for _, val := range v.Values {
			lit, ok := val.(*ast.BasicLit)
			if !ok {
				continue
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				continue
			}
			out[s] = true
			el, ev, _ := strings.Cut(s, ":")
			add(el)
			out[upperSnake(ev)] = ev != "" // "TIMER", not "timer" (a common word)
		}
		return true
	})
	if len(out) < 50 {
		t.Fatalf("read only %d element names from core/model/kinds.go", len(out))
	}
	return out
}

func upperSnake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}
