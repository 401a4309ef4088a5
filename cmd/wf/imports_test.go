package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOfTheProject pins what wf may import from this module: the
// SDK for everything that talks to an engine, and the engine's parser and
// validation for wf validate only (see doc.go). Nothing from api/.
func TestImportsOfTheProject(t *testing.T) {
	const module = "github.com/example/wf-engine/"
	allowed := map[string]string{
		module + "sdk/client":        "",
		module + "core/model":        "validate.go",
		module + "core/engine":       "validate.go",
		module + "elements/standard": "validate.go",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f) // #nosec G304 -- the package's own files
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(path, module) {
				continue
			}
			seen[path] = true
			only, ok := allowed[path]
			switch {
			case !ok:
				t.Errorf("%s imports %s: wf talks to engines through sdk/client only", f, path)
			case only != "" && only != f:
				t.Errorf("%s imports %s, which only %s (wf validate) may import", f, path, only)
			}
		}
	}
	var got []string
	for p := range seen {
		got = append(got, p)
	}
	sort.Strings(got)
	if len(got) == 0 || !seen[module+"sdk/client"] {
		t.Errorf("imports %v: expected wf to use sdk/client", got)
	}
}
